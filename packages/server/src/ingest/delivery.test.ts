import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..')
const bin = join(root, 'packages/cli/bin/promptledger.js')
const child = join(root, 'packages/server/src/test-support/sdk-logger-child.mjs')
const built =
  existsSync(join(root, 'packages/cli/dist/main.js')) && existsSync(join(root, 'packages/sdk/dist/index.js'))
const dir = mkdtempSync(join(tmpdir(), 'pl-'))
const running = new Set<ChildProcess>()
afterAll(() => {
  for (const p of running) p.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

/** Resolves with the first stdout line matching `pattern` (the process's own report, not a timer). */
function lineMatching(proc: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: proc.stdout! })
    const onExit = (code: number | null) => reject(new Error(`process exited (${code}) before ${pattern}`))
    lines.on('line', (line) => {
      const m = line.match(pattern)
      if (m) {
        lines.close()
        proc.off('exit', onExit)
        resolvePromise(m)
      }
    })
    proc.once('exit', onExit)
  })
}

function start(args: string[]): ChildProcess {
  const proc = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] })
  running.add(proc)
  proc.once('exit', () => running.delete(proc))
  return proc
}

async function startCollector(port: number): Promise<{ proc: ChildProcess; url: string }> {
  const proc = start([bin, 'serve', '--port', String(port), '--data', join(dir, 'collector')])
  const m = await lineMatching(proc, /listening on (http:\/\/\S+)/)
  return { proc, url: m[1]! }
}

describe.skipIf(!built)('delivery to a collector that dies and comes back (run `npm run build` first)', () => {
  it('stores every record exactly once and the collector chain verifies', async () => {
    const first = await startCollector(0)
    const port = Number(new URL(first.url).port)
    const app = start([child, first.url, join(dir, 'app'), '40', '25', '15'])
    await lineMatching(app, /^batch 5$/)
    const died = new Promise((r) => first.proc.once('exit', r))
    first.proc.kill('SIGKILL')
    await died
    // The app keeps logging while the collector is down; its batches go to the disk spool.
    const spooled = await lineMatching(app, /^spooled (\d+)$/)
    expect(Number(spooled[1])).toBeGreaterThan(0)
    const second = await startCollector(port)
    await lineMatching(app, /^done$/)
    const ids = JSON.parse(readFileSync(join(dir, 'app', 'ids.json'), 'utf8')) as string[]
    expect(ids).toHaveLength(1000)
    const stored: string[] = []
    let cursor: string | null = null
    do {
      const res = await fetch(`${second.url}/v1/records?limit=1000${cursor ? `&cursor=${cursor}` : ''}`)
      const page = (await res.json()) as { records: Array<{ id: string }>; next_cursor: string | null }
      stored.push(...page.records.map((r) => r.id))
      cursor = page.next_cursor
    } while (cursor)
    expect(stored).toHaveLength(1000)
    expect(new Set(stored)).toEqual(new Set(ids))
    const verify = (await (await fetch(`${second.url}/v1/verify`)).json()) as { ok: boolean; streams: unknown[] }
    expect(verify).toMatchObject({ ok: true, streams: [{ count: 1000, head_seq: 999 }] })
    second.proc.kill('SIGTERM')
  })
})
