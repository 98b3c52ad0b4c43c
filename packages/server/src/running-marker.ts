import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { processAlive, writeFileAtomic } from '@promptledger/sdk'

/** The file a running collector keeps in its data dir, so that the CLI acting on the dir can go through it. */
export const RUNNING_MARKER = 'collector.json'

export interface RunningMarker {
  url: string
  pid: number
  started: string
}

/**
 * Writes `<data>/collector.json` (0600 via the atomic writer) naming this process and its URL; returns what removes
 * it, if it still names this process (another collector may have started on the dir since).
 *
 * @example
 * const remove = writeRunningMarker(config.data, server.url)
 * app.addHook('onClose', async () => remove())
 */
export function writeRunningMarker(dataDir: string, url: string): () => void {
  const file = join(dataDir, RUNNING_MARKER)
  const marker: RunningMarker = { url, pid: process.pid, started: new Date().toISOString() }
  writeFileAtomic(file, `${JSON.stringify(marker)}\n`)
  return () => {
    if (readRunningMarker(dataDir)?.pid === process.pid) rmSync(file, { force: true })
  }
}

/** The marker of the collector that last started on `dataDir`, if it left one; it may have died since. */
export function readRunningMarker(dataDir: string): RunningMarker | null {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, RUNNING_MARKER), 'utf8')) as Partial<RunningMarker>
    if (typeof parsed.url !== 'string' || typeof parsed.pid !== 'number' || typeof parsed.started !== 'string')
      return null
    return { url: parsed.url, pid: parsed.pid, started: parsed.started }
  } catch {
    return null
  }
}

/**
 * The collector that runs on `dataDir` now: its marker names a live process and its URL
 * answers `/healthz` (a marker left by a crash, or whose pid was reused, does not count). Null when there is none.
 *
 * @example
 * const other = await liveCollector('./promptledger-data') // { url: 'http://127.0.0.1:7420', pid: 4242, … } or null
 */
export async function liveCollector(dataDir: string): Promise<RunningMarker | null> {
  const marker = readRunningMarker(dataDir)
  // This process too: a second server started in it on the same dir is as wrong as one in another process.
  if (marker === null || !processAlive(marker.pid)) return null
  try {
    const res = await fetch(new URL('/healthz', marker.url), { signal: AbortSignal.timeout(1500) })
    await res.body?.cancel()
    return res.ok ? marker : null
  } catch {
    return null
  }
}
