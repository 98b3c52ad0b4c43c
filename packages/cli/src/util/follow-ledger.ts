import { closeSync, openSync, readSync, statSync } from 'node:fs'
import path from 'node:path'
import { type LedgerRecord, listSegments, listStreams, readSegmentText, segmentEntries } from '@promptledger/sdk'

export interface FollowOptions {
  stream?: string
  /** Records to print from the end before following. */
  last: number
  follow: boolean
  intervalMs?: number
  signal?: AbortSignal
}

interface StreamCursor {
  lastSeq: number
  /** Byte offset already read in the active segment `base`. */
  base: string
  offset: number
}

function parseLines(text: string): LedgerRecord[] {
  const out: LedgerRecord[] = []
  for (const e of segmentEntries(text, '')) {
    if (e.torn) break // a write in progress: read it on the next poll
    try {
      out.push(JSON.parse(e.text!) as LedgerRecord)
    } catch {
      // verify reports damaged lines; tail shows what it can read
    }
  }
  return out
}

/** The newest `n` records of one stream, reading segments from the end only as far as needed. */
async function lastRecords(streamDir: string, n: number): Promise<LedgerRecord[]> {
  const segs = listSegments(streamDir).filter((s) => s.active || (s.archive && s.manifest))
  let out: LedgerRecord[] = []
  for (let i = segs.length - 1; i >= 0 && out.length < n; i--)
    out = [...parseLines(await readSegmentText(streamDir, segs[i]!)), ...out]
  return n === 0 ? [] : out.slice(-n)
}

/** Reads the complete lines appended to a file since `offset`. */
function readFrom(file: string, offset: number): { text: string; offset: number } {
  const size = statSync(file).size
  if (size <= offset) return { text: '', offset }
  const buf = Buffer.alloc(size - offset)
  const fd = openSync(file, 'r')
  try {
    readSync(fd, buf, 0, buf.length, offset)
  } finally {
    closeSync(fd)
  }
  const end = buf.lastIndexOf(0x0a) + 1
  return { text: buf.subarray(0, end).toString('utf8'), offset: offset + end }
}

async function newRecords(streamDir: string, cursor: StreamCursor): Promise<LedgerRecord[]> {
  const segs = listSegments(streamDir).filter((s) => s.active || (s.archive && s.manifest))
  const from = Math.max(
    0,
    segs.findLastIndex((s) => s.firstSeq <= cursor.lastSeq + 1),
  )
  const out: LedgerRecord[] = []
  for (const seg of segs.slice(from)) {
    if (seg.active) {
      const file = path.join(streamDir, `${seg.base}.ndjson`)
      const start = seg.base === cursor.base ? cursor.offset : 0
      const { text, offset } = readFrom(file, start)
      cursor.base = seg.base
      cursor.offset = offset
      out.push(...parseLines(text))
    } else {
      out.push(...parseLines(await readSegmentText(streamDir, seg)))
    }
  }
  const fresh = out.filter((r) => r.seq > cursor.lastSeq)
  if (fresh.length > 0) cursor.lastSeq = fresh[fresh.length - 1]!.seq
  return fresh
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const t = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

/**
 * The last records of a local ledger, then (when following) each new record as it is written,
 * polling the active segments. Stops when `signal` aborts.
 *
 * @example
 * for await (const r of followLedger('./promptledger-data', { last: 10, follow: true })) print(r)
 */
export async function* followLedger(dir: string, options: FollowOptions): AsyncGenerator<LedgerRecord> {
  const cursors = new Map<string, StreamCursor>()
  const streams = () => (options.stream ? [options.stream] : listStreams(dir))
  const initial: LedgerRecord[] = []
  for (const s of streams()) {
    const records = await lastRecords(path.join(dir, s), Math.max(options.last, 1))
    cursors.set(s, { lastSeq: records.at(-1)?.seq ?? -1, base: '', offset: 0 })
    initial.push(...records.slice(-options.last || records.length))
  }
  initial.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0))
  yield* options.last === 0 ? [] : initial.slice(-options.last)
  while (options.follow && !options.signal?.aborted) {
    await sleep(options.intervalMs ?? 500, options.signal)
    for (const s of streams()) {
      const cursor = cursors.get(s) ?? { lastSeq: -1, base: '', offset: 0 }
      cursors.set(s, cursor)
      yield* await newRecords(path.join(dir, s), cursor)
    }
  }
}
