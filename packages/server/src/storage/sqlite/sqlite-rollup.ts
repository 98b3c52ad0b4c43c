import type Database from 'better-sqlite3'
import type { RecordColumns } from '../record-columns.js'
import { DAY_MS, mergeHistBlob, mergeSums, RollupBatch, rollupSelection } from '../rollup-core.js'
import type { GroupBy, RecordFilter } from '../storage.js'

/** The rollup table of a SQLite store (see rollup-core.ts for what a row holds and how precise it is). */
export const ROLLUP_DDL = `
CREATE TABLE IF NOT EXISTS stats_hourly (
  k TEXT NOT NULL UNIQUE,
  span INTEGER NOT NULL,
  hour INTEGER NOT NULL,
  model TEXT,
  provider TEXT,
  app TEXT,
  status TEXT NOT NULL,
  count INTEGER NOT NULL,
  input_tokens REAL NOT NULL,
  output_tokens REAL NOT NULL,
  cost REAL NOT NULL,
  cost_n INTEGER NOT NULL DEFAULT 0,
  rc_sum REAL NOT NULL,
  rc_n INTEGER NOT NULL,
  uncertain INTEGER NOT NULL,
  pii_leaks INTEGER NOT NULL,
  injection_max REAL,
  latency_hist BLOB NOT NULL,
  ttft_hist BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS stats_hourly_span ON stats_hourly(span, hour);
`

const STATS_COLUMNS = `hour, model, provider, app, status, count, input_tokens, output_tokens, cost, cost_n, rc_sum, rc_n,
  uncertain, pii_leaks, injection_max, latency_hist, ttft_hist`

/** The records columns a rollup needs, for rebuilding rollups from stored rows. */
const REBUILD_COLUMNS = `ts, model, provider, app, status, latency, ttft, input_tokens, output_tokens, cost,
  response_chars, uncertain, pii_in_response, injection_score`

/**
 * The `stats_hourly` table: merged at each append (inside its transaction), rebuilt for the hours a
 * retention delete touches, and read by stats over large selections.
 */
export class Rollups {
  readonly #db: Database.Database
  readonly #read: Database.Statement
  readonly #insert: Database.Statement
  readonly #update: Database.Statement
  readonly #selects = new Map<string, Database.Statement>()

  constructor(db: Database.Database) {
    this.#db = db
    this.#read =
      db.prepare(`SELECT count, input_tokens, output_tokens, cost, cost_n, rc_sum, rc_n, uncertain, pii_leaks,
      injection_max, latency_hist, ttft_hist FROM stats_hourly WHERE k = ?`)
    this.#insert = db.prepare(`INSERT INTO stats_hourly (k, span, hour, model, provider, app, status, count,
      input_tokens, output_tokens, cost, cost_n, rc_sum, rc_n, uncertain, pii_leaks, injection_max, latency_hist, ttft_hist)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    // An existing row changes in place: no indexed column moves, so neither index is touched (a REPLACE
    // deleted and reinserted the row, and both index entries with it).
    this.#update = db.prepare(`UPDATE stats_hourly SET count = ?, input_tokens = ?, output_tokens = ?, cost = ?,
      cost_n = ?, rc_sum = ?, rc_n = ?, uncertain = ?, pii_leaks = ?, injection_max = ?, latency_hist = ?, ttft_hist = ?
      WHERE k = ?`)
  }

  /** A read and a write per touched key (a few dozen per batch), inside the caller's transaction. */
  flush(batch: RollupBatch): void {
    for (const r of batch.rows.values()) {
      const old = this.#read.get(r.k) as Record<string, unknown> | undefined
      if (old) mergeSums(r, old)
      const latency = mergeHistBlob(old?.['latency_hist'] as Buffer | undefined, r.latency)
      const ttft = mergeHistBlob(old?.['ttft_hist'] as Buffer | undefined, r.ttft)
      const sums = [r.count, r.inputTokens, r.outputTokens, r.cost, r.costN, r.rcSum, r.rcN, r.uncertain, r.piiLeaks]
      if (old) this.#update.run(...sums, r.injectionMax, latency, ttft, r.k)
      else
        this.#insert.run(
          r.k,
          r.span,
          r.hour,
          r.model,
          r.provider,
          r.app,
          r.status,
          ...sums,
          r.injectionMax,
          latency,
          ttft,
        )
    }
    batch.rows.clear()
  }

  /** Recomputes the rollups of the days around [fromMs, toMs) from the stored records (retention, migration). */
  rebuild(fromMs: number, toMs: number, rowidAt: (ms: number) => number): void {
    const lo = Math.floor(fromMs / DAY_MS) * DAY_MS
    const hi = Math.ceil(toMs / DAY_MS) * DAY_MS
    this.#db.prepare('DELETE FROM stats_hourly WHERE hour >= ? AND hour < ?').run(lo, hi)
    const rows = this.#db
      .prepare(`SELECT ${REBUILD_COLUMNS} FROM records WHERE rowid >= ? AND rowid < ?`)
      .iterate(rowidAt(lo), rowidAt(hi)) as IterableIterator<RecordColumns>
    // One in-memory batch: its size is bounded by the number of (hour, model, provider, app, status) keys,
    // not by records; writes wait until the iterator is done (the connection cannot write while reading).
    const batch = new RollupBatch()
    for (const row of rows) batch.add(row)
    this.flush(batch)
  }

  /** Rollup rows matching a filter, or null when the filter needs record columns rollups do not keep. */
  select(filter: RecordFilter, groupBy: GroupBy | null): Record<string, unknown>[] | null {
    const selection = rollupSelection(filter, groupBy)
    if (selection === null) return null
    const clauses = ['span = ?', ...selection.where.map((w) => `${w.column} ${w.op} ?`)]
    const params = [selection.span, ...selection.where.map((w) => w.value)]
    // Every column but the key text `k`: stats read thousands of these rows.
    const sql = `SELECT ${STATS_COLUMNS} FROM stats_hourly WHERE ${clauses.join(' AND ')}`
    let stmt = this.#selects.get(sql)
    if (!stmt) {
      stmt = this.#db.prepare(sql)
      this.#selects.set(sql, stmt) // at most 2^6 shapes (which of six filters are set)
    }
    return stmt.all(...params) as Record<string, unknown>[]
  }
}
