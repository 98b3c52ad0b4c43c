import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { LedgerRecord } from '../../record/schema.js'
import type { ChainEntry } from '../../seal/verify-chain.js'
import { decompressArchive } from './archive-codec.js'
import {
  ACTIVE_EXT,
  archiveFile,
  CHECKPOINTS_FILE,
  listSegments,
  type SegmentFiles,
  sealedWithLeftover,
} from './segment-files.js'

/** Stream names in a data dir: the folders holding segments or checkpoints. */
export function listStreams(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((name) => {
      const p = path.join(dir, name)
      if (!statSync(p).isDirectory()) return false
      return existsSync(path.join(p, CHECKPOINTS_FILE)) || listSegments(p).length > 0
    })
    .sort()
}

/** The text of one segment, decompressed when sealed. */
export async function readSegmentText(streamDir: string, seg: SegmentFiles): Promise<string> {
  return (await readSegmentFile(streamDir, seg)).bytes.toString('utf8')
}

/** The bytes of one segment, decompressed when sealed. */
export async function readSegmentBytes(streamDir: string, seg: SegmentFiles): Promise<Buffer> {
  return (await readSegmentFile(streamDir, seg)).bytes
}

/** One segment's NDJSON bytes, plus the archive as stored when sealed (its SHA-256 is in the manifest). */
export async function readSegmentFile(streamDir: string, seg: SegmentFiles): Promise<{ bytes: Buffer; raw?: Buffer }> {
  if (seg.active && !sealedWithLeftover(seg))
    return { bytes: await readFile(path.join(streamDir, seg.base + ACTIVE_EXT)) }
  const raw = await readFile(path.join(streamDir, archiveFile(seg)))
  return { bytes: await decompressArchive(raw, seg.archive ?? 'gzip'), raw }
}

/**
 * The lines of one segment's bytes as chain entries (verify decodes only the lines it must parse),
 * from byte `start`, which is the beginning of 0-based line `firstLine`.
 */
export function* segmentByteEntries(buf: Buffer, file: string, start = 0, firstLine = 0): Generator<ChainEntry> {
  let line = firstLine
  while (start < buf.length) {
    const nl = buf.indexOf(0x0a, start)
    line++
    if (nl < 0) {
      yield { bytes: buf.subarray(start), file, line, torn: true }
      return
    }
    yield { bytes: buf.subarray(start, nl), file, line }
    start = nl + 1
  }
}

/** The lines of one segment's text as chain entries (file name and 1-based line number attached). */
export function* segmentEntries(text: string, file: string): Generator<ChainEntry> {
  let start = 0
  let line = 0
  while (start < text.length) {
    const nl = text.indexOf('\n', start)
    line++
    if (nl < 0) {
      yield { text: text.slice(start), file, line, torn: true }
      return
    }
    yield { text: text.slice(start, nl), file, line }
    start = nl + 1
  }
}

export interface ReadFilter {
  stream?: string
  /** Records with `ts` at or after this time. */
  since?: Date
  /** Records with `ts` before this time. */
  until?: Date
  userId?: string
}

/**
 * Every parsed record of a data dir (all streams, or one), oldest first within a stream.
 * Unparseable lines are skipped here; `verifyLedger` is the place that reports them.
 *
 * @example
 * for await (const r of readRecords('./promptledger-data', { userId: 'user_123' })) console.log(r.id)
 */
export async function* readRecords(dir: string, filter: ReadFilter = {}): AsyncGenerator<LedgerRecord> {
  const since = filter.since?.getTime()
  const until = filter.until?.getTime()
  for (const stream of filter.stream ? [filter.stream] : listStreams(dir)) {
    const streamDir = path.join(dir, stream)
    for (const seg of listSegments(streamDir)) {
      if (!seg.active && !(seg.archive && seg.manifest)) continue
      for (const entry of segmentEntries(await readSegmentText(streamDir, seg), seg.base)) {
        let r: LedgerRecord
        try {
          r = JSON.parse(entry.text!) as LedgerRecord
        } catch {
          continue
        }
        const t = Date.parse(r.ts)
        if (since !== undefined && t < since) continue
        if (until !== undefined && t >= until) continue
        if (filter.userId !== undefined && r.user_id !== filter.userId) continue
        yield r
      }
    }
  }
}

/** Reads the public key written beside the ledger, if any. */
export function readPublicKey(dir: string, file: string): string | undefined {
  const p = path.join(dir, file)
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined
}
