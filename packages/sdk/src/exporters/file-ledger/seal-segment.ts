import { hash } from 'node:crypto'
import { readFile, unlink } from 'node:fs/promises'
import path from 'node:path'
import { PromptLedgerError } from '../../errors.js'
import type { LedgerRecord } from '../../record/schema.js'
import type { ArchiveClaim, Checkpoint } from '../../seal/checkpoint.js'
import { ARCHIVE_EXT, type ArchiveChoice, codecFor, compressArchive } from './archive-codec.js'
import { type SegmentManifest, writeFileAtomicAsync, writeManifestAsync } from './manifest.js'
import { ACTIVE_EXT, MANIFEST_EXT } from './segment-files.js'

/** First and last record and line count, without decoding or splitting the whole segment. */
function firstAndLast(buf: Buffer): [LedgerRecord, LedgerRecord, number] {
  let lines = 0
  let lastStart = 0
  let firstEnd = -1
  for (let at = buf.indexOf(0x0a); at >= 0; at = buf.indexOf(0x0a, at + 1)) {
    if (firstEnd < 0) firstEnd = at
    lines++
    if (at + 1 < buf.length) lastStart = at + 1
  }
  if (lines === 0) throw new PromptLedgerError('LEDGER_CORRUPT', 'cannot seal an empty segment')
  const end = buf[buf.length - 1] === 0x0a ? buf.length - 1 : buf.length
  const first = JSON.parse(buf.toString('utf8', 0, firstEnd)) as LedgerRecord
  const last = JSON.parse(buf.toString('utf8', lastStart, end)) as LedgerRecord
  return [first, last, lines]
}

/** A closed segment's archive, written and fsynced; its manifest not yet (see `archiveSegment`). */
export interface SegmentArchive {
  /** The segment's base name (`<dir>/<base>.ndjson` is still there). */
  base: string
  /** The archive's file name in the stream's folder. */
  file: string
  first: LedgerRecord
  last: LedgerRecord
  records: number
  bytes: number
  sha256: string
  /** Made from the bytes this process appended (not read back from disk): its checkpoint may claim the archive. */
  claimable: boolean
}

/**
 * Seals a closed segment, in two steps. `archiveSegment`: compress to a temp file, fsync, rename to the archive
 * (`.ndjson.gz` or `.ndjson.br`, as `choice` picks: see `ArchiveChoice`). `finishSeal`: write the
 * manifest (first/last seq, head hash, SHA-256 of the archive, checkpoint of the last record), then remove the
 * `.ndjson`. Each step leaves a state that opening the ledger finishes or redoes (see recover.ts). Archives of
 * several segments may be made at once; their `finishSeal` calls must then run in the segments' order (a
 * manifest is what makes a segment sealed, and retention and the checkpoint log read them oldest first).
 *
 * `written` is the segment exactly as this process appended it, when the writer kept it: the archive is
 * then made from those bytes (the file on disk is not read back) and the checkpoint also signs the
 * archive's digest (see `ArchiveClaim`). Segments continued or recovered after a restart are read from
 * disk and signed without the claim, so `verify` re-hashes their records.
 */
export async function archiveSegment(
  streamDir: string,
  base: string,
  written?: Buffer,
  choice: ArchiveChoice = 'auto',
): Promise<SegmentArchive> {
  const src = path.join(streamDir, base + ACTIVE_EXT)
  const raw = written ?? (await readFile(src))
  const [first, last, records] = firstAndLast(raw)
  // A segment holds one stream's records, encrypted or not as the ledger was opened; the first and last
  // decide, so a segment spanning a change of setting is judged by both ends.
  const encrypted = first.enc != null || last.enc != null
  const codec = codecFor(choice, encrypted)
  const archive = await compressArchive(raw, codec, encrypted)
  const file = base + ARCHIVE_EXT[codec]
  // The folder is fsynced here too, not left to the manifest's: a file system may persist two renames out of order,
  // and a manifest must never stand without its archive.
  await writeFileAtomicAsync(path.join(streamDir, file), archive)
  const sha256 = hash('sha256', archive)
  return { base, file, first, last, records, bytes: archive.length, sha256, claimable: written !== undefined }
}

/** The second step of a seal (see `archiveSegment`): the signed manifest, then the `.ndjson` removed. */
export async function finishSeal(
  streamDir: string,
  a: SegmentArchive,
  sign: (head: { seq: number; hash: string; archive?: ArchiveClaim }) => Checkpoint,
): Promise<SegmentManifest> {
  const { first, last, records, sha256 } = a
  const manifest: SegmentManifest = {
    stream: last.stream,
    file: a.file,
    first_seq: first.seq,
    last_seq: last.seq,
    first_ts: first.ts,
    last_ts: last.ts,
    prev_hash: first.prev_hash,
    head_hash: last.hash,
    records,
    bytes: a.bytes,
    sha256,
    checkpoint: sign({
      seq: last.seq,
      hash: last.hash,
      ...(a.claimable ? { archive: { sha256, first_seq: first.seq, prev_hash: first.prev_hash, records } } : {}),
    }),
  }
  await writeManifestAsync(path.join(streamDir, a.base + MANIFEST_EXT), manifest)
  await unlink(path.join(streamDir, a.base + ACTIVE_EXT))
  return manifest
}
