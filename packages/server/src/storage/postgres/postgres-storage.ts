import type { LedgerRecord } from '@promptledger/sdk'
import pg from 'pg'
import { ServerError } from '../../errors.js'
import {
  decodeCursor,
  EQUAL_COLUMNS,
  emptySearch,
  encodeCursor,
  redactUrl,
  searchWords,
  timeMs,
} from '../backend-common.js'
import {
  fixTextColumns,
  type IndexTextOptions,
  indexText,
  RECORD_COLUMNS,
  type RecordColumns,
  recordColumns,
} from '../record-columns.js'
import { DAY_MS, RollupBatch } from '../rollup-core.js'
import { rollupCount, rollupStats } from '../rollup-read.js'
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
import { mergeRollups, rebuildRollups, selectRollups } from './postgres-rollup.js'
import {
  createPartitions,
  dayOf,
  listPartitions,
  lockPartitions,
  migratePostgres,
  quoteSchema,
} from './postgres-schema.js'

export interface PostgresStorageOptions extends IndexTextOptions {
  /** `postgres://user:password@host:5432/database`; see node-postgres for the parameters it takes. */
  url: string
  /** The schema that holds the tables (created if missing); default `promptledger`. */
  schema?: string
  /** Connections in the pool; default 8. */
  poolSize?: number
  /** How the connections name themselves in `pg_stat_activity`; default `promptledger`. */
  applicationName?: string
  /**
   * Stats over at most this many records scan them for exact percentiles; larger selections add up hourly rollups
   * (percentiles within 1 %, see rollup-core.ts). Default 100,000.
   */
  exactStatsLimit?: number
}

/** Records read per round trip when a stream is scanned for verification. */
const SCAN_CHUNK = 1000
/**
 * Opens (and creates or upgrades) a PostgreSQL store. Several collectors may share it, each with its own stream.
 *
 * @example
 * const storage = await openPostgresStorage({ url: 'postgres://promptledger@db.internal/ledger' })
 * await storage.append(sealedRecords)
 */
export async function openPostgresStorage(options: PostgresStorageOptions): Promise<PostgresStorage> {
  const schema = options.schema ?? 'promptledger'
  quoteSchema(schema)
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 8,
    application_name: options.applicationName ?? 'promptledger',
  })
  // An idle connection that breaks (a restarted server) is dropped by the pool; the error must not crash the process.
  pool.on('error', () => undefined)
  try {
    const client = await pool.connect()
    try {
      await migratePostgres(client, schema)
    } finally {
      client.release()
    }
  } catch (cause) {
    await pool.end()
    throw new ServerError('STORAGE_ERROR', `cannot open the PostgreSQL store at ${redactUrl(options.url)}`, { cause })
  }
  return new PostgresStorage(pool, schema, options, options.exactStatsLimit)
}

/**
 * A record's search words as a `tsvector` literal: its distinct words (see `searchWords`: letters and digits only, so
 * none needs quoting) between spaces. Written here rather than by `to_tsvector`, whose parser cost the server more
 * than the rest of the insert (about 300 µs a record; see docs/performance.md, PostgreSQL).
 */
function tsvectorText(text: string): string {
  return [...new Set(searchWords(text))].join(' ')
}

/** A search's words as a `tsquery` literal that needs them all. */
function tsqueryText(text: string): string {
  return searchWords(text).join(' & ')
}

/** PostgreSQL text holds no NUL character: a value that has one is stored (and filtered by) with U+FFFD in its place. */
function pgText(value: string): string {
  return value.includes('\0') ? value.replaceAll('\0', '\uFFFD') : value
}

/** SQL conditions over `r` for a filter, with numbered parameters appended to `params`. */
function filterWhere(filter: RecordFilter, params: unknown[]): string[] {
  const clauses: string[] = []
  const param = (value: unknown): string => {
    params.push(value)
    return `$${params.length}`
  }
  // Each bound also names its day, so PostgreSQL reads only the partitions of the window.
  if (filter.from !== undefined) {
    const from = timeMs(filter.from, 'from')
    clauses.push(`r.ts >= ${param(from)}`, `r.day >= ${param(dayOf(from))}`)
  }
  if (filter.to !== undefined) {
    const to = timeMs(filter.to, 'to')
    clauses.push(`r.ts < ${param(to)}`, `r.day <= ${param(dayOf(to))}`)
  }
  for (const [key, column] of EQUAL_COLUMNS) {
    const value = filter[key]
    if (value !== undefined) clauses.push(`r.${column} = ${param(pgText(value))}`)
  }
  if (filter.tag !== undefined) clauses.push(`r.tags @> ARRAY[${param(pgText(filter.tag))}]::text[]`)
  if (filter.q !== undefined) clauses.push(`r.search @@ ${param(tsqueryText(filter.q))}::tsquery`)
  return clauses
}

/** The SQL of each grouping; time buckets are ISO strings, the same keys every backend gives. */
const groupKeySql: Record<GroupBy, string> = {
  model: 'r.model',
  provider: 'r.provider',
  user_id: 'r.user_id',
  app: 'r.app',
  status: 'r.status',
  hour: `to_char(to_timestamp(r.ts / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24":00:00.000Z"')`,
  day: `to_char(to_timestamp(r.ts / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T00:00:00.000Z"')`,
}

/** One aggregate pass; `percentile_cont` interpolates between ranks as SQLite's `percentile()` does. */
const STATS_COLUMNS = `count(*)::float8 AS count,
  (count(*) FILTER (WHERE r.status = 'error'))::float8 AS errors,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY r.latency) AS p50,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY r.latency) AS p95,
  percentile_cont(0.99) WITHIN GROUP (ORDER BY r.latency) AS p99,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY r.ttft) AS ttft50,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY r.ttft) AS ttft95,
  coalesce(sum(r.input_tokens), 0)::float8 AS input_tokens,
  coalesce(sum(r.output_tokens), 0)::float8 AS output_tokens,
  sum(r.cost)::float8 AS cost,
  count(r.cost)::float8 AS priced,
  avg(r.response_chars)::float8 AS chars,
  coalesce(sum(r.uncertain), 0)::float8 AS uncertain,
  (count(*) FILTER (WHERE r.pii_in_response > 0))::float8 AS pii,
  max(r.injection_score) AS injection`

interface StatsSqlRow {
  key: string | null
  count: number
  errors: number
  p50: number | null
  p95: number | null
  p99: number | null
  ttft50: number | null
  ttft95: number | null
  input_tokens: number
  output_tokens: number
  cost: number | null
  priced: number
  chars: number | null
  uncertain: number
  pii: number
  injection: number | null
}

function toStatsRow(r: StatsSqlRow): StatsRow {
  return {
    key: r.key,
    count: r.count,
    errors: r.errors,
    errorRate: r.count === 0 ? 0 : r.errors / r.count,
    latencyP50: r.p50,
    latencyP95: r.p95,
    latencyP99: r.p99,
    ttftP50: r.ttft50,
    ttftP95: r.ttft95,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    costUsd: r.cost,
    pricedCount: r.priced,
    avgResponseChars: r.chars,
    uncertain: r.uncertain,
    piiLeaks: r.pii,
    injectionMax: r.injection,
  }
}

/** The columns an append writes, in the order of each row's parameters. */
const APPEND_COLUMNS = [...RECORD_COLUMNS, 'hash', 'body', 'tags', 'day', 'search']
/**
 * Rows per INSERT: each row is its own parameters (PostgreSQL takes at most 65,535 in a statement). Parameters, not
 * one array literal per column (`unnest`): in an array literal the driver escapes every quote of each JSON body, which
 * cost this process 183 instead of 104 µs of CPU a record (appends of 5,000 bench records: 3,050 → 4,285 a second).
 */
const ROWS_PER_INSERT = 1000

/** Unwraps a driver error into the store's: a unique violation other than the id (a stream's seq) is a conflict. */
/** PostgreSQL's error for a row that no partition takes: the day's partition was dropped since this store cached it. */
const NO_PARTITION = '23514'

function storageError(message: string, cause: unknown): ServerError {
  const conflict = (cause as { code?: string }).code === '23505'
  return new ServerError(conflict ? 'CONFLICT' : 'STORAGE_ERROR', message, { cause })
}

/**
 * The PostgreSQL store (schema in postgres-schema.ts). Sealing happens before it (the collector's inline chain
 * writer); an append is one transaction with its stream heads and rollups (postgres-rollup.ts). Full-text search is
 * a tsvector of the redacted text's words (no stemming), all words required, as on SQLite.
 */
export class PostgresStorage implements Storage {
  readonly #pool: pg.Pool
  readonly #s: string
  readonly #index: IndexTextOptions
  readonly #exactStatsLimit: number
  /** The INSERT for a number of rows (a batch's full chunks share one; its last chunk may need another). */
  readonly #inserts = new Map<number, string>()
  /** The days whose partition this store created or found; an append creates the others first. */
  readonly #days = new Set<number>()
  readonly #schema: string
  #closed = false

  constructor(pool: pg.Pool, schema: string, index: IndexTextOptions = {}, exactStatsLimit = 100_000) {
    this.#pool = pool
    this.#exactStatsLimit = exactStatsLimit
    this.#s = quoteSchema(schema)
    this.#schema = schema
    this.#index = { plaintextView: index.plaintextView, isErasedKey: index.isErasedKey }
  }

  /** `INSERT … VALUES` for `rows` rows. */
  #insertSql(rows: number): string {
    let sql = this.#inserts.get(rows)
    if (sql === undefined) {
      const width = APPEND_COLUMNS.length
      const tuples: string[] = []
      for (let r = 0; r < rows; r++) {
        const p = (k: number) => `$${r * width + k + 1}`
        const plain = APPEND_COLUMNS.slice(0, width - 1).map((_, k) => p(k))
        tuples.push(`(${plain.join(', ')}, ${p(width - 1)}::tsvector)`)
      }
      sql = `INSERT INTO ${this.#s}.records (${APPEND_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}
        ON CONFLICT (id, day) DO NOTHING RETURNING id, stream, seq, hash`
      this.#inserts.set(rows, sql)
    }
    return sql
  }

  async append(batch: readonly LedgerRecord[]): Promise<AppendResult> {
    if (batch.length === 0) return { inserted: 0, duplicates: 0 }
    const params: unknown[] = []
    const columns = new Map<string, RecordColumns>()
    const days = new Set<number>()
    for (let i = 0; i < batch.length; i++) {
      const record = batch[i]!
      const c = fixTextColumns(recordColumns(record), pgText)
      columns.set(c.id, c)
      const day = dayOf(c.ts)
      days.add(day)
      for (const name of RECORD_COLUMNS) params.push(c[name])
      params.push(
        record.hash,
        canonicalLines.get(record) ?? JSON.stringify(record),
        record.tags.map(pgText),
        day,
        tsvectorText(indexText(record, this.#index)),
      )
    }
    await this.#ensurePartitions(days)
    try {
      return await this.#insert(batch.length, params, columns)
    } catch (err) {
      // Another collector's retention dropped a day this store had cached: forget the cache, create, try once more.
      if ((err as { cause?: { code?: string } }).cause?.code !== NO_PARTITION) throw err
      this.#days.clear()
      await this.#ensurePartitions(days)
      return this.#insert(batch.length, params, columns)
    }
  }

  /** Creates the partitions of the days this store has not seen yet (once per day and store). */
  async #ensurePartitions(days: ReadonlySet<number>): Promise<void> {
    const missing = [...days].filter((day) => !this.#days.has(day))
    if (missing.length === 0) return
    const client = await this.#connect()
    try {
      await createPartitions(client, this.#schema, missing)
    } catch (cause) {
      throw storageError('could not create the partitions of the batch', cause)
    } finally {
      client.release()
    }
    for (const day of missing) this.#days.add(day)
  }

  /** The rows of `params` in one transaction with their rollups and stream heads. */
  #insert(count: number, params: unknown[], columns: Map<string, RecordColumns>): Promise<AppendResult> {
    const width = APPEND_COLUMNS.length
    return this.#transaction('could not store the batch', async (client) => {
      const stored: Array<{ id: string; stream: string; seq: string; hash: string }> = []
      for (let from = 0; from < count; from += ROWS_PER_INSERT) {
        const rows = Math.min(ROWS_PER_INSERT, count - from)
        const chunk = params.slice(from * width, (from + rows) * width)
        const inserted = await client.query<{ id: string; stream: string; seq: string; hash: string }>(
          this.#insertSql(rows),
          chunk,
        )
        stored.push(...inserted.rows)
      }
      // The records just stored, not the duplicates skipped, count in the rollups.
      const rollups = new RollupBatch()
      for (const row of stored) rollups.add(columns.get(row.id)!)
      await mergeRollups(client, this.#s, rollups)
      await this.#advanceHeads(client, stored)
      return { inserted: stored.length, duplicates: count - stored.length }
    })
  }

  /** Moves each stream's head to the highest seq just stored (never back: a late batch of an old seq leaves it). */
  async #advanceHeads(client: pg.PoolClient, rows: ReadonlyArray<{ stream: string; seq: string; hash: string }>) {
    const heads = new Map<string, { seq: number; hash: string }>()
    for (const row of rows) {
      const seq = Number(row.seq)
      const head = heads.get(row.stream)
      if (!head || seq > head.seq) heads.set(row.stream, { seq, hash: row.hash })
    }
    for (const [stream, { seq, hash }] of heads) {
      await client.query(
        `INSERT INTO ${this.#s}.stream_heads (stream, seq, hash) VALUES ($1, $2, $3)
         ON CONFLICT (stream) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash
         WHERE ${this.#s}.stream_heads.seq < EXCLUDED.seq`,
        [stream, seq, hash],
      )
    }
  }

  async existingIds(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set()
    const { rows } = await this.#query<{ id: string }>(`SELECT id FROM ${this.#s}.records WHERE id = ANY($1::text[])`, [
      ids.map(pgText),
    ])
    return new Set(rows.map((r) => r.id))
  }

  async query(filter: RecordFilter, page: Page): Promise<QueryResult> {
    const limit = Math.max(1, Math.min(page.limit, 1000))
    if (emptySearch(filter)) return { records: [], nextCursor: null }
    const params: unknown[] = []
    const clauses = filterWhere(filter, params)
    if (page.cursor !== undefined) {
      const [ts, id] = decodeCursor(page.cursor)
      params.push(ts, id)
      clauses.push(`(r.ts, r.id) < ($${params.length - 1}, $${params.length})`)
    }
    params.push(limit + 1)
    const { rows } = await this.#query<{ ts: string; id: string; body: string }>(
      `SELECT r.ts, r.id, r.body FROM ${this.#s}.records r ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''}
       ORDER BY r.ts DESC, r.id DESC LIMIT $${params.length}`,
      params,
    )
    const more = rows.length > limit
    if (more) rows.pop()
    const last = rows[rows.length - 1]
    return {
      records: rows.map((row) => JSON.parse(row.body) as LedgerRecord),
      nextCursor: more && last ? encodeCursor(Number(last.ts), last.id) : null,
    }
  }

  async get(id: string): Promise<LedgerRecord | null> {
    const { rows } = await this.#query<{ body: string }>(`SELECT body FROM ${this.#s}.records WHERE id = $1`, [
      pgText(id),
    ])
    return rows[0] ? (JSON.parse(rows[0].body) as LedgerRecord) : null
  }

  async stats(filter: RecordFilter, groupBy: GroupBy | null): Promise<StatsRow[]> {
    if (emptySearch(filter)) return []
    // Large selections the rollups can answer add up their rows; small ones and everything else scan the records.
    const rollupRows = await selectRollups((sql, params) => this.#query(sql, params), this.#s, filter, groupBy)
    if (rollupRows !== null && rollupCount(rollupRows) > this.#exactStatsLimit) return rollupStats(rollupRows, groupBy)
    const params: unknown[] = []
    const clauses = filterWhere(filter, params)
    const key = groupBy ? groupKeySql[groupBy] : 'NULL::text'
    const timeKey = groupBy === 'hour' || groupBy === 'day'
    // Keys compare byte-wise (COLLATE "C"), nulls first: the order SQLite gives.
    const order = groupBy
      ? `GROUP BY 1 ORDER BY ${timeKey ? '' : 'count(*) DESC, '}(${key}) COLLATE "C" ASC NULLS FIRST`
      : ''
    const { rows } = await this.#query<StatsSqlRow>(
      `SELECT ${key} AS key, ${STATS_COLUMNS} FROM ${this.#s}.records r
       ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''} ${order}`,
      params,
    )
    return rows.filter((row) => row.count > 0).map(toStatsRow)
  }

  async head(stream: string): Promise<StreamHead | null> {
    const { rows } = await this.#query<{ stream: string; seq: string; hash: string }>(
      `SELECT stream, seq, hash FROM ${this.#s}.stream_heads WHERE stream = $1`,
      [stream],
    )
    const row = rows[0]
    return row ? { stream: row.stream, seq: Number(row.seq), hash: row.hash } : null
  }

  async *scanStream(stream: string, fromSeq = 0): AsyncIterable<LedgerRecord> {
    let next = fromSeq
    for (;;) {
      const { rows } = await this.#query<{ seq: string; body: string }>(
        `SELECT seq, body FROM ${this.#s}.records WHERE stream = $1 AND seq >= $2 ORDER BY seq LIMIT ${SCAN_CHUNK}`,
        [stream, next],
      )
      for (const row of rows) yield JSON.parse(row.body) as LedgerRecord
      if (rows.length < SCAN_CHUNK) return
      next = Number(rows[rows.length - 1]!.seq) + 1
    }
  }

  async streams(): Promise<string[]> {
    const { rows } = await this.#query<{ stream: string }>(
      `SELECT stream FROM ${this.#s}.stream_heads ORDER BY stream COLLATE "C"`,
    )
    return rows.map((r) => r.stream)
  }

  /**
   * Drops the partitions of the days wholly before `ts` (their rows counted first) and deletes the rest of the
   * bound's day; one transaction, under the partitions' lock.
   */
  async deleteBefore(ts: string): Promise<number> {
    const ms = timeMs(ts, 'ts')
    const boundDay = dayOf(ms)
    const deleted = await this.#transaction('could not delete the records', async (client) => {
      await lockPartitions(client, this.#schema)
      let deleted = 0
      for (const part of await listPartitions(client, this.#s)) {
        if (part.day >= boundDay) break
        const { rows } = await client.query<{ n: number }>(`SELECT count(*)::float8 AS n FROM ${part.name}`)
        deleted += rows[0]?.n ?? 0
        await client.query(`DROP TABLE ${part.name}`)
      }
      const { rowCount } = await client.query(`DELETE FROM ${this.#s}.records WHERE day = $1 AND ts < $2`, [
        boundDay,
        ms,
      ])
      deleted += rowCount ?? 0
      // Rollups of wholly deleted days go; the day holding the bound is recomputed from what is left.
      if (deleted > 0) {
        await client.query(`DELETE FROM ${this.#s}.stats_hourly WHERE hour < $1`, [boundDay * DAY_MS])
        await rebuildRollups(client, this.#s, ms, ms + 1)
      }
      return deleted
    })
    for (const day of this.#days) if (day < boundDay) this.#days.delete(day)
    return deleted
  }

  /**
   * Empties the subject's full-text vectors, then vacuums the table so the old row versions that held them are
   * pruned. PostgreSQL's WAL and backups are the operator's to expire (see docs/security.md).
   */
  async eraseSubject(userId: string): Promise<number> {
    const { rows } = await this.#query<{ n: number }>(
      `WITH erased AS (UPDATE ${this.#s}.records SET search = NULL WHERE user_id = $1 RETURNING 1)
       SELECT count(*)::float8 AS n FROM erased`,
      [pgText(userId)],
    )
    await this.#query(`VACUUM ${this.#s}.records`)
    return rows[0]?.n ?? 0
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#pool.end()
  }

  async #connect(): Promise<pg.PoolClient> {
    if (this.#closed) throw new ServerError('STORAGE_ERROR', 'the store is closed')
    try {
      return await this.#pool.connect()
    } catch (cause) {
      throw new ServerError('STORAGE_ERROR', 'cannot reach the PostgreSQL store', { cause })
    }
  }

  /** `work` in one transaction on one connection: committed when it returns, rolled back when it throws. */
  async #transaction<T>(message: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#connect()
    try {
      await client.query('BEGIN')
      const result = await work(client)
      await client.query('COMMIT')
      return result
    } catch (cause) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw storageError(message, cause)
    } finally {
      client.release()
    }
  }

  async #query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    const client = await this.#connect()
    try {
      return await client.query<R>(sql, params)
    } catch (cause) {
      throw storageError('the PostgreSQL store failed a query', cause)
    } finally {
      client.release()
    }
  }
}
