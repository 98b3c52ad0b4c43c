import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import type { UnsealedRecord } from '../../record/schema.js'
import { ACTIVE_EXT, archiveFile, listSegments, sealedWithLeftover } from './segment-files.js'

/**
 * The exit rescue: `process.exit()` (or an uncaught exception) ends the process with no event loop left, so calls still
 * queued in the ledger cannot go through the asynchronous write path. The exit hook builds them on the exiting thread
 * (signals, redaction, encryption: nothing raw reaches the disk) and writes them, unsealed, to a rescue file in the
 * stream folder. The next ledger opened on the stream seals them into the chain ahead of its own records and removes
 * the file. Records of batches whose write was under way at exit may have reached the segment too: the file names
 * the last sequence number known written, and records found past it are not sealed twice.
 */

/** `rescue-<ms>-<pid>.ndjson`: not a segment name, so segment listings, recovery and readers pass it by. */
const RESCUE_FILE = /^rescue-\d+-\d+\.ndjson$/

interface RescueHeader {
  rescue: 1
  stream: string
  /** The chain head known written when the process exited: records after it may be in the segment already. */
  after_seq: number
  records: number
}

/** Writes `records` to a new rescue file (fsynced, then renamed into place: a reader never sees half of one). */
export function writeRescue(streamDir: string, stream: string, afterSeq: number, records: UnsealedRecord[]): string {
  const header: RescueHeader = { rescue: 1, stream, after_seq: afterSeq, records: records.length }
  let text = `${JSON.stringify(header)}\n`
  for (const record of records) text += `${JSON.stringify(record)}\n`
  const file = path.join(streamDir, `rescue-${Date.now()}-${process.pid}${ACTIVE_EXT}`)
  // A crash before the rename leaves `.tmp`, which opening the stream removes (recover.ts).
  const tmp = `${file}.tmp`
  const fd = openSync(tmp, 'wx', 0o600)
  try {
    writeSync(fd, text)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, file)
  syncDir(streamDir)
  // The default stream name is per process, so the next ledger on this data dir may never open this stream: the
  // marker beside the stream folders lets any of them find it (see `orphanRescues`).
  writeFileSync(markerFile(streamDir), '', { mode: 0o600 })
  return file
}

/** `<data dir>/<stream>.rescue`: a stream with rescue files waiting. */
const MARKER_EXT = '.rescue'

function markerFile(streamDir: string): string {
  return path.join(path.dirname(streamDir), path.basename(streamDir) + MARKER_EXT)
}

/** Streams of the data dir with rescue files waiting, by their markers (one folder read). */
export async function orphanRescues(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[])
  return names.filter((n) => n.endsWith(MARKER_EXT)).map((n) => n.slice(0, -MARKER_EXT.length))
}

export interface Rescued {
  files: string[]
  /** In the order they were logged, those already in the ledger left out. */
  records: UnsealedRecord[]
  /** Records of the files found in the ledger already (written just before the exit). */
  alreadyWritten: number
  /** Lines that did not parse (a file altered by hand): left out, counted. */
  unreadable: number
}

/** The stream's rescue files, oldest first, with the records that still need sealing; null when there are none. */
export function readRescues(streamDir: string): Rescued | null {
  const files = readdirSync(streamDir)
    .filter((name) => RESCUE_FILE.test(name))
    .sort(byTime)
    .map((name) => path.join(streamDir, name))
  if (files.length === 0) return null
  const out: Rescued = { files, records: [], alreadyWritten: 0, unreadable: 0 }
  let afterSeq = Number.POSITIVE_INFINITY
  const candidates: UnsealedRecord[] = []
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n')
    const header = parse(lines[0]!) as Partial<RescueHeader> | undefined
    if (header?.rescue !== 1 || typeof header.after_seq !== 'number') {
      out.unreadable += lines.filter((l) => l !== '').length
      continue
    }
    afterSeq = Math.min(afterSeq, header.after_seq)
    for (let i = 1; i < lines.length; i++) {
      if (lines[i] === '') continue
      const record = parse(lines[i]!) as UnsealedRecord | undefined
      if (record && typeof record.id === 'string') candidates.push(record)
      else out.unreadable++
    }
  }
  const written = Number.isFinite(afterSeq) ? idsAfter(streamDir, afterSeq) : new Set<string>()
  const seen = new Set<string>()
  for (const record of candidates) {
    if (written.has(record.id)) out.alreadyWritten++
    else if (!seen.has(record.id)) out.records.push(record)
    seen.add(record.id)
  }
  return out
}

/** How many records the stream's rescue files hold (read from their headers), waiting for the next writer. */
export function rescuedCount(streamDir: string): number {
  let n = 0
  for (const name of readdirSync(streamDir)) {
    if (!RESCUE_FILE.test(name)) continue
    const text = readFileSync(path.join(streamDir, name), 'utf8')
    const header = parse(text.slice(0, text.indexOf('\n'))) as Partial<RescueHeader> | undefined
    if (typeof header?.records === 'number') n += header.records
  }
  return n
}

/** Removes rescue files whose records are now sealed and durable. */
export function removeRescues(streamDir: string, files: readonly string[]): void {
  for (const file of files) unlinkSync(file)
  syncDir(streamDir)
  rmSync(markerFile(streamDir), { force: true })
}

/** Ids of the stream's records with a sequence number above `afterSeq` (the segments that can hold one are read). */
function idsAfter(streamDir: string, afterSeq: number): Set<string> {
  const ids = new Set<string>()
  const segments = listSegments(streamDir)
  for (let i = 0; i < segments.length; i++) {
    const next = segments[i + 1]
    if (next !== undefined && next.firstSeq <= afterSeq + 1) continue // ends at or before afterSeq
    const seg = segments[i]!
    const text = readSegment(streamDir, seg)
    for (const line of text.split('\n')) {
      const record = parse(line) as { seq?: unknown; id?: unknown } | undefined
      if (typeof record?.seq === 'number' && record.seq > afterSeq && typeof record.id === 'string') ids.add(record.id)
    }
  }
  return ids
}

function readSegment(streamDir: string, seg: ReturnType<typeof listSegments>[number]): string {
  if (seg.active && !sealedWithLeftover(seg)) return readFileSync(path.join(streamDir, seg.base + ACTIVE_EXT), 'utf8')
  const raw = readFileSync(path.join(streamDir, archiveFile(seg)))
  return (seg.archive === 'brotli' ? brotliDecompressSync(raw) : gunzipSync(raw)).toString('utf8')
}

function parse(line: string): unknown {
  if (line === '') return undefined
  try {
    return JSON.parse(line)
  } catch {
    return undefined
  }
}

/** By the time in the name (`rescue-<ms>-<pid>`), numerically. */
function byTime(a: string, b: string): number {
  return Number(a.split('-')[1]) - Number(b.split('-')[1]) || (a < b ? -1 : a > b ? 1 : 0)
}

function syncDir(dir: string): void {
  // The rename is durable once the folder is; not every platform can open a folder for fsync.
  try {
    const fd = openSync(dir, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch {
    // best effort: the file's own bytes were fsynced before the rename
  }
}
