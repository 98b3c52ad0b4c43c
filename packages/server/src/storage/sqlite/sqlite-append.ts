import type Database from 'better-sqlite3'
import type { RecordColumns } from '../record-columns.js'
import { RollupBatch } from '../rollup-core.js'
import { rowidAt } from './sqlite-filter.js'
import { Rollups } from './sqlite-rollup.js'
import { INSERT_RECORD_ROW, runRecordInsert } from './sqlite-row.js'
import { ROWID_PER_MS } from './sqlite-schema.js'

/** One sealed record as the store writes it. */
export interface AppendRow {
  c: RecordColumns
  /** The record's canonical line (the body the store returns). */
  body: string
  tags: readonly string[]
  hash: string
}

export interface AppendedRows {
  inserted: number
  duplicates: number
  /** Per row, the rowid it was stored under; -1 for a row whose id was stored already. */
  rowids: number[]
  /** The batch's `search_queue` number; null without a queue or when nothing was new. */
  queued: number | null
}

/** Keeps rowid = ts * ROWID_PER_MS inside JavaScript's safe integers (years 1691–2248). */
export const MAX_MS = Math.floor(Number.MAX_SAFE_INTEGER / ROWID_PER_MS) - 1
/** Spill hints kept at once; cleared when full (they only save probes). */
const MAX_SPILLED_SLOTS = 4096

/**
 * Bodies and tags per multi-row INSERT. Each statement run costs a fixed share (the call into better-sqlite3, its
 * result object, the table's cursor opened and positioned again): the whole append went from 99.7k to 91.8k
 * instructions a record (bench records, 50,000 after 10,000, callgrind). `records` rows stay one a statement:
 * written 32 at a time when in time order they cost 2k more, and each needs its own `changes`.
 */
export const ROWS_PER_INSERT = 32

/**
 * A multi-row INSERT of two-column rows, filled by `push` and written a full statement at a time; `flush` writes
 * what is left, one row per statement. Rows are written in the order pushed, inside the caller's transaction.
 */
class ChunkedInsert {
  readonly #many: Database.Statement
  readonly #one: Database.Statement
  /** Bound as arguments (see runRecordInsert), reused from statement to statement. */
  readonly #values: unknown[] = []

  /** `head`: the statement up to VALUES, naming two columns. */
  constructor(db: Database.Database, head: string) {
    this.#many = db.prepare(`${head} VALUES ${new Array(ROWS_PER_INSERT).fill('(?, ?)').join(', ')}`)
    this.#one = db.prepare(`${head} VALUES (?, ?)`)
  }

  push(a: unknown, b: unknown): void {
    this.#values.push(a, b)
    if (this.#values.length === 2 * ROWS_PER_INSERT) {
      this.#many.run(...this.#values)
      this.#values.length = 0
    }
  }

  flush(): void {
    const values = this.#values
    for (let i = 0; i < values.length; i += 2) this.#one.run(values[i], values[i + 1])
    values.length = 0
  }

  /** Drops rows not written (the transaction failed: they must not leak into the next one). */
  clear(): void {
    this.#values.length = 0
  }
}

/**
 * Writes sealed rows (records row, body, tags, stream head, rollups and the search queue), inside the caller's
 * transaction. Shared by the store's own `append` and the writer thread, each on its own connection.
 *
 * @example
 * db.transaction(() => appender.append(rows, search.indexed))()
 */
export class RowAppender {
  // Prepared once: better-sqlite3 statements are reusable and preparing is the costly part.
  readonly #insert: Database.Statement
  readonly #bodies: ChunkedInsert
  readonly #tags: ChunkedInsert
  readonly #enqueue: Database.Statement | null
  readonly #dequeue: Database.Statement | null
  readonly #maxRowidStmt: Database.Statement
  readonly #slotMax: Database.Statement
  readonly #rowidExists: Database.Statement
  readonly #upsertHead: Database.Statement
  readonly #rollups: Rollups
  /** Per full millisecond slot: the rowid after the last one spilled from it (a hint; existence is still checked). */
  readonly #spilled = new Map<number, number>()
  #maxRowid = Number.NEGATIVE_INFINITY
  #dequeued = 0

  /** `queue`: write each batch's rowids to `search_queue` (a full-text index in its own file catches up from it). */
  constructor(db: Database.Database, queue: boolean) {
    // A stored id is skipped by the conflict clause (changes = 0) instead of a lookup before every insert, while a
    // (stream, seq) conflict still fails the batch.
    this.#insert = db.prepare(`${INSERT_RECORD_ROW} ON CONFLICT(id) DO NOTHING`)
    this.#bodies = new ChunkedInsert(db, 'INSERT INTO record_body (rowid, json)')
    this.#tags = new ChunkedInsert(db, 'INSERT OR IGNORE INTO record_tags (tag, rid)')
    this.#enqueue = queue ? db.prepare('INSERT INTO search_queue (rowids) VALUES (?)') : null
    this.#dequeue = queue ? db.prepare('DELETE FROM search_queue WHERE n <= ?') : null
    this.#maxRowidStmt = db.prepare('SELECT max(rowid) FROM records').pluck()
    this.#slotMax = db.prepare('SELECT max(rowid) FROM records WHERE rowid >= ? AND rowid < ?').pluck()
    this.#rowidExists = db.prepare('SELECT 1 FROM records WHERE rowid = ?').pluck()
    this.#upsertHead = db.prepare(`INSERT INTO stream_heads (stream, seq, hash) VALUES (?, ?, ?)
      ON CONFLICT(stream) DO UPDATE SET seq = excluded.seq, hash = excluded.hash WHERE excluded.seq > stream_heads.seq`)
    this.#rollups = new Rollups(db)
  }

  /**
   * Stores the rows; `indexed` is the last queue number the full-text index has (queue rows up to it go).
   * `onInserted` runs for each stored row inside the transaction (an inline full-text index writes there).
   */
  append(rows: readonly AppendRow[], indexed = 0, onInserted?: (rowid: number, index: number) => void): AppendedRows {
    // Read under the write lock each time (one index descent): another connection may have appended since.
    this.#maxRowid = (this.#maxRowidStmt.get() as number | null) ?? Number.NEGATIVE_INFINITY
    // Packed (pushed in order): it goes back to the serving thread in the writer's reply (see SealEncoder.batch).
    const rowids: number[] = []
    let inserted = 0
    const heads = new Map<string, { seq: number; hash: string }>()
    const rollup = new RollupBatch()
    // Rows a failed append left unwritten (its transaction rolled back).
    this.#bodies.clear()
    this.#tags.clear()
    for (let i = 0; i < rows.length; i++) {
      const { c, body, tags, hash } = rows[i]!
      const rowid = this.#nextRowid(c.ts)
      const { changes } = runRecordInsert(this.#insert, rowid, c)
      if (changes === 0) {
        rowids.push(-1)
        continue
      }
      rowids.push(rowid)
      rollup.add(c)
      this.#bodies.push(rowid, body)
      for (const tag of tags) this.#tags.push(tag, rowid)
      onInserted?.(rowid, i)
      const head = heads.get(c.stream)
      if (!head || c.seq > head.seq) heads.set(c.stream, { seq: c.seq, hash })
      inserted++
    }
    this.#bodies.flush()
    this.#tags.flush()
    for (const [stream, head] of heads) this.#upsertHead.run(stream, head.seq, head.hash)
    this.#rollups.flush(rollup)
    let queued: number | null = null
    if (this.#enqueue && inserted > 0) {
      // The batch's rowids, in the same transaction: the search index catches up from here after a crash.
      queued = Number(this.#enqueue.run(JSON.stringify(rowids.filter((r) => r >= 0))).lastInsertRowid)
      if (indexed > this.#dequeued) {
        this.#dequeue!.run(indexed)
        this.#dequeued = indexed
      }
    }
    return { inserted, duplicates: rows.length - inserted, rowids, queued }
  }

  /** Time-ordered rowid; the common case (a record newer than all stored) needs no lookup. */
  #nextRowid(ts: number): number {
    const ms = Number.isFinite(ts) ? Math.min(Math.max(ts, -MAX_MS), MAX_MS) : 0
    const base = rowidAt(ms)
    let rowid: number
    if (base > this.#maxRowid) {
      rowid = base
    } else {
      const max = this.#slotMax.get(base, base + ROWID_PER_MS) as number | null
      rowid = max === null ? base : max + 1
      if (rowid >= base + ROWID_PER_MS) {
        // A full millisecond spills into the next ones. Probing from the slot's end each time made every
        // further record of that millisecond O(records spilled) (a bulk import with one timestamp went
        // quadratic); start after the last rowid spilled from it instead.
        rowid = Math.max(rowid, this.#spilled.get(base) ?? 0)
        while (this.#rowidExists.get(rowid) !== undefined) rowid++
        if (this.#spilled.size >= MAX_SPILLED_SLOTS) this.#spilled.clear()
        this.#spilled.set(base, rowid + 1)
      }
    }
    if (rowid > this.#maxRowid) this.#maxRowid = rowid
    return rowid
  }
}
