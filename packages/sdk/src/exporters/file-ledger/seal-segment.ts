import { hash } from 'node:crypto'
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import { PromptLedgerError } from '../../errors.js'
import type { LedgerRecord } from '../../record/schema.js'
import type { Checkpoint } from '../../seal/checkpoint.js'
import { type SegmentManifest, writeManifest } from './manifest.js'
import { ACTIVE_EXT, MANIFEST_EXT, SEALED_EXT } from './segment-files.js'

// zlib's async gzip runs on the libuv thread pool, so sealing a 1 MiB segment never stalls the event loop.
const gzipAsync = promisify(gzip)

function firstAndLast(text: string): [LedgerRecord, LedgerRecord, number] {
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  if (lines.length === 0) throw new PromptLedgerError('LEDGER_CORRUPT', 'cannot seal an empty segment')
  return [JSON.parse(lines[0]!) as LedgerRecord, JSON.parse(lines[lines.length - 1]!) as LedgerRecord, lines.length]
}

/**
 * Seals a closed segment: gzip to a temp file, fsync, rename to `.ndjson.gz`, write the manifest
 * (first/last seq, head hash, SHA-256 of the archive, checkpoint of the last record), then remove the
 * `.ndjson`. Each step leaves a state that opening the ledger finishes or redoes (see recover.ts).
 */
export async function sealSegment(
  streamDir: string,
  base: string,
  sign: (head: { seq: number; hash: string }) => Checkpoint,
): Promise<SegmentManifest> {
  const src = path.join(streamDir, base + ACTIVE_EXT)
  const text = await readFile(src, 'utf8')
  const [first, last, records] = firstAndLast(text)
  const gz = await gzipAsync(Buffer.from(text, 'utf8'), { level: 6 })
  const dest = path.join(streamDir, base + SEALED_EXT)
  const tmp = `${dest}.tmp`
  const fd = openSync(tmp, 'w', 0o600)
  try {
    writeSync(fd, gz)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, dest)
  const manifest: SegmentManifest = {
    stream: last.stream,
    file: base + SEALED_EXT,
    first_seq: first.seq,
    last_seq: last.seq,
    first_ts: first.ts,
    last_ts: last.ts,
    prev_hash: first.prev_hash,
    head_hash: last.hash,
    records,
    bytes: gz.length,
    sha256: hash('sha256', gz),
    checkpoint: sign({ seq: last.seq, hash: last.hash }),
  }
  writeManifest(path.join(streamDir, base + MANIFEST_EXT), manifest)
  unlinkSync(src)
  return manifest
}
