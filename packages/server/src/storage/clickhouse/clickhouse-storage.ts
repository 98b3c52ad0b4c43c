import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client'
import type { LedgerRecord } from '@promptledger/sdk'
import { ServerError } from '../../errors.js'
import { decodeCursor, emptySearch, encodeCursor, redactUrl, timeMs } from '../backend-common.js'
import { fixTextColumns, type IndexTextOptions, indexText, recordColumns } from '../record-columns.js'
import { DAY_MS } from '../rollup-core.js'
import {
  type AppendResult,
  canonicalLines,
  type GroupBy,
  type Page,
  type QueryResult,
  type RecordFilter,
  type StatsRow,
  type Storage,
  type StreamHead,
} from '../storage.js'
import { filterWhere, searchDocument, whereSql } from './clickhouse-filter.js'
import { DEFAULT_MUTATION_TIMEOUT_MS, waitForMutations } from './clickhouse-mutations.js'
import { migrateClickHouse } from './clickhouse-schema.js'
import { quoteDatabase, sqlInt, sqlString, wellFormed } from './clickhouse-sql.js'
import {
  type HistogramSqlRow,
  histogramSql,
  type StatsSqlRow,
  statsSql,
  toStatsRow,
  withHistogramPercentiles,
} from './clickhouse-stats.js'

export interface ClickHouseStorageOptions extends IndexTextOptions {
  /**
   * The server's HTTP interface: `clickhouse+http://user:password@host:8123` or `clickhouse+https://…` (the
   * collector's `storage` setting), or the same without `clickhouse+`. It names the server only: the database is
   * `database`.
   */
  url: string
  /** The database that holds the tables (created if missing); default `promptledger`. */
  database?: string
  /** Concurrent HTTP connections; default 8. */
  poolSize?: number
  /** How long `deleteBefore` and `eraseSubject` wait for ClickHouse to apply their mutations; default 10 minutes. */
  mutationTimeoutMs?: number
  /**
   * Stats over at most this many records compute exact percentiles (sorting each group's values); larger selections
   * read them off log-scale histograms (within 1 %, as the rollups of the other backends). Default 100,000.
   */
  exactStatsLimit?: number
}

/** Records read per round trip when a stream is scanned for verification. */
const SCAN_CHUNK = 1000
/** Ids per duplicate check: each is a literal in the query, which ClickHouse caps at 256 KiB by default. */
const ID_CHUNK = 1000

/**
 * Opens (and creates or upgrades) a ClickHouse store. Several collectors may share it, each with its own stream.
 *
 * @example
 * const storage = await openClickHouseStorage({ url: 'clickhouse+http://promptledger@ch.internal:8123' })
 * await storage.append(sealedRecords)
 */
export async function openClickHouseStorage(options: ClickHouseStorageOptions): Promise<ClickHouseStorage> {
  const database = options.database ?? 'promptledger'
  quoteDatabase(database)
  const client = createClient({
    ...serverOf(options.url),
    max_open_connections: options.poolSize ?? 8,
    // Stats over a long window of a large table can take minutes; the client's 30 s default would abandon them.
    request_timeout: 5 * 60_000,
    // Failures reach the caller as ServerErrors; the client's own console logging would report each one twice.
    log: { level: ClickHouseLogLevel.OFF },
  })
  try {
    await migrateClickHouse(client, database)
  } catch (cause) {
    await client.close()
    throw new ServerError('STORAGE_ERROR', `cannot open the ClickHouse store at ${redactUrl(options.url)}`, { cause })
  }
  return new ClickHouseStorage(client, database, options)
}

/** The client's connection settings from a store URL; anything past the server (a path, a query) is refused. */
function serverOf(url: string): { url: string; username: string; password: string } {
  let parsed: URL | null = null
  try {
    parsed = new URL(url.replace(/^clickhouse\+/, ''))
  } catch {
    // Reported below with the expected shape.
  }
  const bare = parsed && (parsed.pathname === '/' || parsed.pathname === '') && !parsed.search && !parsed.hash
  if (!parsed || !bare || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new ServerError(
      'CONFIG_INVALID',
      `the ClickHouse URL ${redactUrl(url)} must be clickhouse+http(s)://[user[:password]@]host[:port] ` +
        '(the database is configured separately)',
    )
  }
  return {
    url: parsed.origin,
    username: decodeURIComponent(parsed.username) || 'default',
    password: decodeURIComponent(parsed.password),
  }
}

/**
 * The ClickHouse store (schema in clickhouse-schema.ts). Sealing happens before it (the collector's inline chain
 * writer); an append is one INSERT, which also fills the id index and the stream heads through materialized views.
 *
 * What ClickHouse does not give, and how the store makes up for it:
 * - No unique constraint: an append looks its ids up first and skips the stored ones. Two collectors appending the
 *   same id in the same instant can both store it; the table collapses such rows by `(ts, id)` when it merges them,
 *   and until then `query`, `get` and `scanStream` return one record per id, while `stats` and the counts that
 *   `deleteBefore` and `eraseSubject` return count both rows. Nor is `(stream, seq)` unique: two collectors
 *   configured with one stream name are not refused as on PostgreSQL (each collector must have its own stream).
 * - No transactions: an INSERT that fails midway (one of several day partitions written, or the views not filled)
 *   can leave part of a batch stored. The error reaches the client, whose retry skips what was stored.
 * - Deletes and updates are asynchronous mutations: `deleteBefore` and `eraseSubject` wait for theirs to finish
 *   (clickhouse-mutations.ts) before answering.
 */
export class ClickHouseStorage implements Storage {
  readonly #client: ClickHouseClient
  readonly #database: string
  readonly #d: string
  readonly #index: IndexTextOptions
  readonly #mutationTimeoutMs: number
  readonly #exactStatsLimit: number
  #closed = false

  constructor(client: ClickHouseClient, database: string, options: Omit<ClickHouseStorageOptions, 'url'> = {}) {
    this.#client = client
    this.#database = database
    this.#d = quoteDatabase(database)
    this.#index = { plaintextView: options.plaintextView, isErasedKey: options.isErasedKey }
    this.#mutationTimeoutMs = options.mutationTimeoutMs ?? DEFAULT_MUTATION_TIMEOUT_MS
    this.#exactStatsLimit = options.exactStatsLimit ?? 100_000
  }

  async append(batch: readonly LedgerRecord[]): Promise<AppendResult> {
    if (batch.length === 0) return { inserted: 0, duplicates: 0 }
    const first = new Map<string, LedgerRecord>()
    for (const record of batch) if (!first.has(record.id)) first.set(record.id, record)
    const stored = await this.existingIds([...first.keys()])
    const rows: Array<Record<string, unknown>> = []
    for (const [id, record] of first) if (!stored.has(id)) rows.push(this.#row(record))
    if (rows.length > 0) {
      await this.#run('could not store the batch', () =>
        this.#client.insert({ table: `${this.#d}.records`, values: rows, format: 'JSONEachRow' }),
      )
    }
    return { inserted: rows.length, duplicates: batch.length - rows.length }
  }

  /** One row of the records table, in the client's JSON. */
  #row(record: LedgerRecord): Record<string, unknown> {
    const c = fixTextColumns(recordColumns(record), wellFormed)
    // The table's columns carry `RecordColumns`' names: a column added there and not here fails every append loudly.
    return {
      ...c,
      stream: wellFormed(c.stream),
      tags: record.tags.map(wellFormed),
      hash: record.hash,
      body: canonicalLines.get(record) ?? JSON.stringify(record),
      search: searchDocument(indexText(record, this.#index)),
    }
  }

  async existingIds(ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>()
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const list = ids
        .slice(i, i + ID_CHUNK)
        .map(sqlString)
        .join(', ')
      const rows = await this.#rows<{ id: string }>(
        `SELECT DISTINCT id FROM ${this.#d}.record_ids WHERE id IN (${list})`,
      )
      for (const row of rows) found.add(row.id)
    }
    return found
  }

  async query(filter: RecordFilter, page: Page): Promise<QueryResult> {
    const limit = Math.max(1, Math.min(Math.trunc(page.limit) || 1, 1000))
    if (emptySearch(filter)) return { records: [], nextCursor: null }
    const clauses = filterWhere(filter)
    if (page.cursor !== undefined) {
      const [ts, id] = decodeCursor(page.cursor)
      clauses.push(`(ts < ${sqlInt(ts)} OR (ts = ${sqlInt(ts)} AND id < ${sqlString(id)}))`)
    }
    const rows =
      filter.q === undefined
        ? await this.#page(clauses, limit + 1)
        : await this.#searchPage(clauses, limit + 1, filter, page.cursor)
    const more = rows.length > limit
    if (more) rows.pop()
    const last = rows[rows.length - 1]
    return {
      records: rows.map((row) => JSON.parse(row.body) as LedgerRecord),
      nextCursor: more && last ? encodeCursor(Number(last.ts), last.id) : null,
    }
  }

  /** Up to `n` records matching `clauses`, newest first. */
  #page(clauses: readonly string[], n: number): Promise<Array<{ ts: string; id: string; body: string }>> {
    // LIMIT 1 BY id: a record stored twice by a race (see the class comment) and not merged yet is listed once.
    return this.#rows<{ ts: string; id: string; body: string }>(
      `SELECT ts, id, body FROM ${this.#d}.records ${whereSql(clauses)}
       ORDER BY ts DESC, id DESC LIMIT 1 BY id LIMIT ${n}`,
    )
  }

  /**
   * A full-text page, read window by window from the newest back: ClickHouse has no word index to jump to the newest
   * matches, and one query over every day read each record's words before sorting, while a common word fills a page
   * from the last day alone. Windows double (a day, two, four …) down to the oldest record or the filter's `from`, so
   * a rare word costs a few more round trips than one whole scan.
   */
  async #searchPage(
    clauses: readonly string[],
    n: number,
    filter: RecordFilter,
    cursor: string | undefined,
  ): Promise<Array<{ ts: string; id: string; body: string }>> {
    const [bounds] = await this.#rows<{ lo: string; hi: string; n: string }>(
      `SELECT min(ts) AS lo, max(ts) AS hi, count() AS n FROM ${this.#d}.records`,
    )
    if (!bounds || Number(bounds.n) === 0) return []
    const from = Math.max(Number(bounds.lo), filter.from !== undefined ? timeMs(filter.from, 'from') : -Infinity)
    let hi = Math.min(Number(bounds.hi) + 1, filter.to !== undefined ? timeMs(filter.to, 'to') : Infinity)
    if (cursor !== undefined) hi = Math.min(hi, decodeCursor(cursor)[0] + 1)
    const out: Array<{ ts: string; id: string; body: string }> = []
    for (let span = DAY_MS; hi > from && out.length < n; span *= 2) {
      const lo = Math.max(from, hi - span)
      const window = [...clauses, `ts >= ${sqlInt(lo)}`, `ts < ${sqlInt(hi)}`]
      out.push(...(await this.#page(window, n - out.length)))
      hi = lo
    }
    return out
  }

  async get(id: string): Promise<LedgerRecord | null> {
    const key = sqlString(id)
    // The id index gives the record's time, so the read goes by the records' sort key instead of scanning ids.
    const rows = await this.#rows<{ body: string }>(
      `SELECT body FROM ${this.#d}.records
       WHERE id = ${key} AND ts IN (SELECT ts FROM ${this.#d}.record_ids WHERE id = ${key}) LIMIT 1`,
    )
    return rows[0] ? (JSON.parse(rows[0].body) as LedgerRecord) : null
  }

  async stats(filter: RecordFilter, groupBy: GroupBy | null): Promise<StatsRow[]> {
    if (emptySearch(filter)) return []
    const table = `${this.#d}.records`
    const conditions = filterWhere(filter)
    const where = whereSql(conditions)
    // The sums first (as cheap as a count); exact percentiles sort every value of a group, so a large selection reads
    // them off histograms instead.
    const sums = (await this.#rows<StatsSqlRow>(statsSql(table, where, groupBy, false)))
      // Without a grouping, aggregates over no record still give one row: an empty selection has no stats.
      .filter((row) => Number(row.n) > 0)
      .map((row) => toStatsRow(row, groupBy))
    if (sums.reduce((n, row) => n + row.count, 0) > this.#exactStatsLimit) {
      const hist = await this.#rows<HistogramSqlRow>(histogramSql(table, conditions, groupBy))
      return withHistogramPercentiles(sums, hist, groupBy)
    }
    const rows = await this.#rows<StatsSqlRow>(statsSql(table, where, groupBy))
    return rows.filter((row) => Number(row.n) > 0).map((row) => toStatsRow(row, groupBy))
  }

  async head(stream: string): Promise<StreamHead | null> {
    const rows = await this.#rows<{ seq: string; hash: string }>(
      `SELECT max(head_seq) AS seq, argMax(head_hash, head_seq) AS hash FROM ${this.#d}.stream_heads
       WHERE stream = ${sqlString(stream)} GROUP BY stream`,
    )
    const row = rows[0]
    return row ? { stream, seq: Number(row.seq), hash: row.hash } : null
  }

  async *scanStream(stream: string, fromSeq = 0): AsyncIterable<LedgerRecord> {
    let next = fromSeq
    for (;;) {
      const rows = await this.#rows<{ seq: string; body: string }>(
        `SELECT seq, body FROM ${this.#d}.records WHERE stream = ${sqlString(stream)} AND seq >= ${sqlInt(next)}
         ORDER BY seq LIMIT 1 BY id LIMIT ${SCAN_CHUNK}`,
      )
      for (const row of rows) yield JSON.parse(row.body) as LedgerRecord
      if (rows.length < SCAN_CHUNK) return
      next = Number(rows[rows.length - 1]!.seq) + 1
    }
  }

  async streams(): Promise<string[]> {
    const rows = await this.#rows<{ stream: string }>(
      `SELECT DISTINCT stream FROM ${this.#d}.stream_heads ORDER BY stream`,
    )
    return rows.map((r) => r.stream)
  }

  /**
   * Deletes through mutations on the records and the id index, and answers once ClickHouse has applied them. The
   * count is taken just before: a record older than `ts` that arrives in between is deleted but not counted.
   */
  async deleteBefore(ts: string): Promise<number> {
    const before = `ts < ${sqlInt(timeMs(ts, 'ts'))}`
    const [row] = await this.#rows<{ n: string }>(`SELECT count() AS n FROM ${this.#d}.records WHERE ${before}`)
    const count = Number(row?.n ?? 0)
    if (count === 0) return 0
    // Records first: stopped between the two, ids stay known without their records, so none is stored again.
    await this.#command(`ALTER TABLE ${this.#d}.records DELETE WHERE ${before}`)
    await this.#command(`ALTER TABLE ${this.#d}.record_ids DELETE WHERE ${before}`)
    await this.#waitForMutations(['records', 'record_ids'])
    return count
  }

  /**
   * Empties the subject's search words and answers once the mutation that rewrites them has finished. The parts
   * it replaced stay on the server's disk until ClickHouse removes them (`old_parts_lifetime`, 8 minutes by
   * default); backups are the operator's to expire (see docs/security.md).
   */
  async eraseSubject(userId: string): Promise<number> {
    const subject = `user_id = ${sqlString(userId)}`
    const [row] = await this.#rows<{ n: string; indexed: string }>(
      `SELECT count() AS n, countIf(search != '') AS indexed FROM ${this.#d}.records WHERE ${subject}`,
    )
    if (Number(row?.indexed ?? 0) > 0) {
      await this.#command(`ALTER TABLE ${this.#d}.records UPDATE search = '' WHERE ${subject} AND search != ''`)
      await this.#waitForMutations(['records'])
    }
    return Number(row?.n ?? 0)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#client.close()
  }

  async #waitForMutations(tables: readonly string[]): Promise<void> {
    await this.#run('could not follow a ClickHouse mutation', () =>
      waitForMutations(this.#client, this.#database, tables, this.#mutationTimeoutMs),
    )
  }

  async #rows<R>(query: string): Promise<R[]> {
    return this.#run('the ClickHouse store failed a query', async () => {
      const result = await this.#client.query({ query, format: 'JSONEachRow' })
      return result.json<R>()
    })
  }

  async #command(query: string): Promise<void> {
    await this.#run('the ClickHouse store failed a command', () => this.#client.command({ query }))
  }

  /** Runs a client call, turning its failure into the store's error (a ServerError from inside passes unchanged). */
  async #run<T>(message: string, call: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new ServerError('STORAGE_ERROR', 'the store is closed')
    try {
      return await call()
    } catch (cause) {
      if (cause instanceof ServerError) throw cause
      throw new ServerError('STORAGE_ERROR', message, { cause })
    }
  }
}
