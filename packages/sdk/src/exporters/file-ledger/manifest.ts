import { readFileSync } from 'node:fs'
import { open, readFile, rename } from 'node:fs/promises'
import path from 'node:path'
import { writeFileAtomic } from '../../crypto/secure-file.js'
import type { Checkpoint } from '../../seal/checkpoint.js'

/** Written beside every sealed segment; the checkpoint signs its last record. */
export interface SegmentManifest {
  stream: string
  file: string
  first_seq: number
  last_seq: number
  first_ts: string
  last_ts: string
  /** prev_hash of the first record: links this segment to the one before it. */
  prev_hash: string
  head_hash: string
  records: number
  /** Size and SHA-256 of the archive file (`.ndjson.gz` or `.ndjson.br`), as stored. */
  bytes: number
  sha256: string
  checkpoint: Checkpoint
}

export function readManifest(file: string): SegmentManifest {
  return JSON.parse(readFileSync(file, 'utf8')) as SegmentManifest
}

/** `readManifest` with the read on the thread pool. */
export async function readManifestAsync(file: string): Promise<SegmentManifest> {
  return JSON.parse(await readFile(file, 'utf8')) as SegmentManifest
}

export function writeManifest(file: string, manifest: SegmentManifest): void {
  writeFileAtomic(file, `${JSON.stringify(manifest, null, 2)}\n`)
}

/**
 * Writes a file atomically without blocking the event loop: 0600 temp file, fsync, rename, fsync of
 * the folder. Sealing runs beside the write path, so its fsyncs must not stall it.
 */
export async function writeFileAtomicAsync(file: string, data: string | Buffer): Promise<void> {
  const tmp = `${file}.tmp`
  const fh = await open(tmp, 'w', 0o600)
  try {
    await fh.writeFile(data)
    await fh.sync()
  } finally {
    await fh.close()
  }
  await rename(tmp, file)
  await syncDirAsync(path.dirname(file))
}

/** fsyncs a folder on the thread pool, so a rename or removal in it is durable; best effort. */
export async function syncDirAsync(dir: string): Promise<void> {
  let fh: Awaited<ReturnType<typeof open>> | undefined
  try {
    fh = await open(dir, 'r')
    await fh.sync()
  } catch {
    // Directory fsync is not supported everywhere; the rename itself stands.
  } finally {
    await fh?.close()
  }
}

export async function writeManifestAsync(file: string, manifest: SegmentManifest): Promise<void> {
  await writeFileAtomicAsync(file, `${JSON.stringify(manifest, null, 2)}\n`)
}
