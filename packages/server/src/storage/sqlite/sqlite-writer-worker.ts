import fs from 'node:fs'
import os from 'node:os'
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { BACKGROUND_NICE, lowerThreadPriority } from '../../thread-priority.js'
import { spliceSeal } from '../seal-splice.js'
import { type AppendRow, RowAppender } from './sqlite-append.js'
import { type PackedColumns, unpackColumns } from './sqlite-packed-columns.js'
import { connectionSettings } from './sqlite-schema.js'

export interface WriterData {
  /** The ledger database (migrated by the store before the thread starts). */
  path: string
  stream: string
  /** `prev_hash` of a new stream's first record. */
  genesisHash: string
  /** Set when the search worker checkpoints the WAL (see sqlite-search.ts): this connection then never does. */
  walCheckpointBytes: number | null
}

/** One batch: the encoded bodies (seal-splice.ts) and the records' columns and tags. */
export interface WriteRequest {
  type: 'write'
  id: number
  bodies: string[]
  layout: Int32Array
  columns: PackedColumns
  /** The last search-queue number the full-text index has (queue rows up to it go). */
  indexed: number
  /**
   * Nobody waits for this batch's answer to reply to a client (the proxy's records): it may wait up to `DEFER_MS`
   * for other batches, to be committed with them in one transaction.
   */
  defer?: boolean
}

export type ToWriter =
  | WriteRequest
  | { type: 'checkpoints'; on: boolean }
  /** Commit the deferred batches held now (an erasure must see every record handed over before it). */
  | { type: 'flush' }
  | { type: 'close' }

export type FromWriter =
  | {
      type: 'written'
      id: number
      /** Indexes (into the batch) of the records sealed, in seq order. */
      sealed: number[]
      /** The head the batch was sealed after. */
      seq: number
      prevHash: string
      hashes: string[]
      /** Per sealed record, its rowid, or -1 when its id turned out stored (another connection wrote it). */
      rowids: number[]
      inserted: number
      queued: number | null
    }
  | { type: 'failed'; id: number; conflict: boolean; message: string }

/**
 * How long a deferrable batch waits for others before its transaction is committed. The proxy hands ingest a few
 * records every few milliseconds; a transaction each wrote every touched page of the records table, its indexes,
 * the search queue and the rollups to the WAL (and the checkpoint copied them again) for eight records at a time.
 */
const DEFER_MS = 50
/** A deferred group is committed at once when it holds this many records. */
const DEFER_RECORDS = 512

/**
 * The writer thread: owns the ledger's write connection and the collector's chain. Per batch, in arrival
 * order and in one transaction: drop ids already stored or repeated, seal the rest after the stream's head (read
 * under the write lock, so a failed batch leaves it where it was), store them. Parsing, validation, redaction
 * and encryption stay on the serving thread, which runs them for the next batches meanwhile.
 *
 * Group commit: batches already queued when one arrives share its transaction (no wait added), and deferrable ones
 * (`WriteRequest.defer`) wait up to `DEFER_MS` for more. Each batch is still sealed and answered on its own; when a
 * group's transaction fails, its batches are written again one transaction each, so a bad batch fails alone.
 */
function run(port: MessagePort, data: WriterData): void {
  const db = new Database(data.path)
  connectionSettings(db)
  if (data.walCheckpointBytes !== null) {
    // See SearchIndex: the search worker checkpoints, and a restarted WAL is truncated below its threshold.
    db.pragma('wal_autocheckpoint = 0')
    db.pragma(`journal_size_limit = ${Math.floor(data.walCheckpointBytes / 4)}`)
  }
  const appender = new RowAppender(db, true)
  const idExists = db
    .prepare('SELECT r.id FROM json_each(?) j JOIN records r INDEXED BY records_id ON r.id = j.value')
    .pluck()
  const headOf = db.prepare('SELECT seq, hash FROM stream_heads WHERE stream = ?')
  const writeOne = (m: WriteRequest): FromWriter => {
    const head = headOf.get(data.stream) as { seq: number; hash: string } | undefined
    const { columns, tags } = unpackColumns(m.columns)
    const stored = new Set(idExists.all(JSON.stringify(columns.map((c) => c.id))) as string[])
    const seen = new Set<string>()
    const sealed: number[] = []
    const hashes: string[] = []
    const rows: AppendRow[] = []
    const first = head?.seq ?? -1
    let seq = first
    let prev = head?.hash ?? data.genesisHash
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i]!
      if (stored.has(c.id) || seen.has(c.id)) continue
      seen.add(c.id)
      const { hash, line } = spliceSeal(m.bodies[i]!, m.layout, i, ++seq, prev)
      c.seq = seq
      rows.push({ c, body: line, tags: tags[i]!, hash })
      sealed.push(i)
      hashes.push(hash)
      prev = hash
    }
    const appended = appender.append(rows, m.indexed)
    return {
      type: 'written',
      id: m.id,
      sealed,
      seq: first,
      prevHash: head?.hash ?? data.genesisHash,
      hashes,
      rowids: appended.rowids,
      inserted: appended.inserted,
      queued: appended.queued,
    }
  }
  const writeGroup = db.transaction((group: WriteRequest[]) => group.map(writeOne))
  // IMMEDIATE: the write lock is taken (or waited for) up front, so the head read in writeOne is the one sealed after.
  const commit = (group: WriteRequest[]): FromWriter[] => {
    try {
      return writeGroup.immediate(group)
    } catch (err) {
      if (group.length === 1) return [failed(group[0]!, err)]
      return group.flatMap((m) => {
        try {
          return writeGroup.immediate([m])
        } catch (one) {
          return [failed(m, one)]
        }
      })
    }
  }

  let held: WriteRequest[] = []
  let heldRecords = 0
  let timer: NodeJS.Timeout | null = null
  let closing = false
  let flushNow = false
  const flush = (): void => {
    if (timer !== null) clearTimeout(timer)
    timer = null
    const group = held
    held = []
    heldRecords = 0
    if (group.length > 0) for (const reply of commit(group)) port.postMessage(reply)
  }
  const take = (m: ToWriter): void => {
    if (m.type === 'close') closing = true
    else if (m.type === 'flush') flushNow = true
    else if (m.type === 'checkpoints') db.pragma(`wal_autocheckpoint = ${m.on ? 1000 : 0}`)
    else {
      held.push(m)
      heldRecords += m.bodies.length
    }
  }
  port.on('message', (m: ToWriter) => {
    take(m)
    // What else is queued joins the group now (receiveMessageOnPort takes it without a turn of the event loop).
    for (let next = receiveMessageOnPort(port); next !== undefined; next = receiveMessageOnPort(port)) {
      take(next.message as ToWriter)
    }
    if (closing) {
      flush()
      db.close()
      port.close()
    } else if (held.length > 0 && (flushNow || heldRecords >= DEFER_RECORDS || held.some((w) => w.defer !== true))) {
      flush()
    } else if (held.length > 0 && timer === null) timer = setTimeout(flush, DEFER_MS)
    flushNow = false
  })
}

function failed(m: WriteRequest, err: unknown): FromWriter {
  const conflict = (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE'
  return { type: 'failed', id: m.id, conflict, message: err instanceof Error ? err.message : String(err) }
}

if (parentPort) {
  // Waking this thread with a batch must not take the core from the thread serving calls (thread-priority.ts).
  lowerThreadPriority(os, fs, BACKGROUND_NICE)
  run(parentPort, workerData as WriterData)
}
