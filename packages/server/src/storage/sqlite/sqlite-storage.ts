import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { genesis, type LedgerRecord } from '@promptledger/sdk'
import Database from 'better-sqlite3'
import { ServerError } from '../../errors.js'
import { indexText, recordColumns } from '../record-columns.js'
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
import { type AppendRow, MAX_MS, RowAppender } from './sqlite-append.js'
import { SqliteChainWriter } from './sqlite-chain-writer.js'
import { decodeCursor, encodeCursor, filterWhere, ftsQuery, rowidAt } from './sqlite-filter.js'
import { Rollups } from './sqlite-rollup.js'
import { migrate } from './sqlite-schema.js'
import { DEFAULT_WAL_CHECKPOINT_BYTES, SearchIndex } from './sqlite-search.js'
import type { SearchDocs } from './sqlite-search-worker.js'
import { groupKeySql, statsColumnsSql, toStatsRow } from './sqlite-stats.js'
import { SqliteWriterThread } from './sqlite-writer-thread.js'

export interface SqliteStorageOptions {
  /** Database file; ':memory:' for a throwaway store. Its folder is created 0700. */
  path: string
  /**
   * Plaintext of an encrypted record for the search index (the encryptor's `searchView`); null when
   * its key is erased. Without it, encrypted content is not searchable.
   */
  plaintextView?: (record: LedgerRecord) => LedgerRecord | null
  /**
   * Whether a data key was destroyed by an erasure (`DataKeyStore#isErased`): a record under such a key is indexed
   * without its plaintext, even when the plaintext came with it (encrypted before the erasure, stored after it).
   */
  isErasedKey?: (keyId: string) => boolean
  /**
   * Stats over at most this many records scan them for exact percentiles; larger selections add up
   * hourly rollups (percentiles within 1 %, see sqlite-rollup.ts). Default 100,000.
   */
  exactStatsLimit?: number
  /**
   * A file store's WAL is copied back into the database (checkpointed, off the appending thread) once it has
   * grown this many bytes, or after 10 s without appends. Larger: fewer WAL restarts (each costs the append
   * after it an fsync), a larger WAL to replay after a crash. Default 32 MiB.
   */
  walCheckpointBytes?: number
  /** Told when the writer thread stopped (the batches it held failed; the next batch starts a new thread). */
  onError?: (err: Error) => void
}

/** An append's result, and what the search index gets once it commits. */
interface Appended extends AppendResult {
  /** The batch's `search_queue` number; null when the index is inline or nothing was new. */
  queued: number | null
  docs: SearchDocs
}

const SCAN_CHUNK = 1000

/**
 * The default store: one SQLite file in WAL mode. Ingest appends through `chainWriter` (a writer thread for a
 * file store); everything else runs on this connection.
 *
 * @example
 * const storage = openSqliteStorage({ path: './promptledger-data/ledger.db' })
 * await storage.append(sealedRecords)
 */
export function openSqliteStorage(options: SqliteStorageOptions): SqliteStorage {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 })
  const db = new Database(options.path)
  const search =
    migrate(db) === 'separate' ? new SearchIndex(db, `${options.path}-search`, options.walCheckpointBytes) : null
  return new SqliteStorage(db, options.plaintextView, options.exactStatsLimit, search, options)
}

export class SqliteStorage implements Storage {
  readonly #db: Database.Database
  readonly #appender: RowAppender
  readonly #appendTx: Database.Transaction<(batch: readonly LedgerRecord[]) => Appended>
  readonly #insertFts: Database.Statement | null
  /** The full-text index in its own file (null: `records_fts` in this database, written inside the append). */
  readonly #search: SearchIndex | null
  /** The FTS table as queries name it. */
  readonly #fts: string
  readonly #idExists: Database.Statement
  /** Per-filter statements (query, stats) prepared on first use and reused. */
  readonly #cache = new Map<string, Database.Statement>()
  readonly #plaintextView: ((record: LedgerRecord) => LedgerRecord | null) | undefined
  readonly #isErasedKey: ((keyId: string) => boolean) | undefined
  readonly #rollups: Rollups
  readonly #exactStatsLimit: number
  readonly #walCheckpointBytes: number
  readonly #onError: (err: Error) => void
  readonly #writers: SqliteWriterThread[] = []

  constructor(
    db: Database.Database,
    plaintextView?: (record: LedgerRecord) => LedgerRecord | null,
    exactStatsLimit = 100_000,
    search: SearchIndex | null = null,
    options: Pick<SqliteStorageOptions, 'walCheckpointBytes' | 'onError' | 'isErasedKey'> = {},
  ) {
    this.#db = db
    this.#search = search
    this.#fts = search ? 'search.records_fts' : 'records_fts'
    this.#plaintextView = plaintextView
    this.#isErasedKey = options.isErasedKey
    this.#rollups = new Rollups(db)
    this.#exactStatsLimit = exactStatsLimit
    this.#walCheckpointBytes = options.walCheckpointBytes ?? DEFAULT_WAL_CHECKPOINT_BYTES
    this.#onError = options.onError ?? (() => undefined)
    this.#appender = new RowAppender(db, search !== null)
    this.#insertFts = search ? null : db.prepare('INSERT INTO records_fts (rowid, text) VALUES (?, ?)')
    this.#idExists = db
      .prepare('SELECT r.id FROM json_each(?) j JOIN records r INDEXED BY records_id ON r.id = j.value')
      .pluck()
    this.#appendTx = db.transaction((batch: readonly LedgerRecord[]) => this.#appendRows(batch))
    // Batches committed but not yet indexed (a crash, or a process that exited first) go to the index again.
    search?.recover((record) => this.#searchText(record))
  }

  /** The full-text document of a record: its plaintext view when its content is encrypted. */
  #searchText(record: LedgerRecord): string {
    return indexText(record, { plaintextView: this.#plaintextView, isErasedKey: this.#isErasedKey })
  }

  #appendRows(batch: readonly LedgerRecord[]): Appended {
    const rows: AppendRow[] = batch.map((record) => ({
      c: recordColumns(record),
      // The seal's canonical line when ingest kept it: no second serialization of a 1 KB+ record.
      body: canonicalLines.get(record) ?? JSON.stringify(record),
      tags: record.tags,
      hash: record.hash,
    }))
    const docs: SearchDocs = { rowids: [], texts: [] }
    const appended = this.#appender.append(rows, this.#search?.indexed ?? 0, (rowid, i) => {
      const text = this.#searchText(batch[i]!)
      if (!text) return
      if (this.#insertFts) this.#insertFts.run(rowid, text)
      else {
        docs.rowids.push(rowid)
        docs.texts.push(text)
      }
    })
    return { inserted: appended.inserted, duplicates: appended.duplicates, queued: appended.queued, docs }
  }

  /**
   * The store's `ChainWriter` for ingest: on a file store, a writer thread that owns the write connection, so
   * sealing and appending run beside the serving thread; null for an in-memory store (`InlineChainWriter`).
   * Queries keep this connection, and see each batch once it is acknowledged.
   */
  chainWriter(stream: string): SqliteChainWriter | null {
    const search = this.#search
    if (!search) return null
    const thread = new SqliteWriterThread({
      path: this.#db.name,
      stream,
      genesisHash: genesis(stream).hash,
      walCheckpointBytes: this.#walCheckpointBytes,
      onLost: (err) => {
        // Batches the thread committed without answering are in the search queue: index them now, before
        // the next thread's batches.
        search.recover((record) => this.#searchText(record))
        this.#onError(err)
      },
    })
    search.onFailure(() => thread.checkpoints(true))
    this.#writers.push(thread)
    return new SqliteChainWriter(thread, search, (record) => this.#searchText(record))
  }

  /** The database file (tests and tools open it directly). */
  get path(): string {
    return this.#db.name
  }

  async append(batch: readonly LedgerRecord[]): Promise<AppendResult> {
    if (batch.length === 0) return { inserted: 0, duplicates: 0 }
    try {
      // IMMEDIATE: the write lock up front, so a writer thread's commit between its read and its writes cannot
      // fail it (the rowid it read would be stale).
      const { inserted, duplicates, queued, docs } = this.#appendTx.immediate(batch)
      // Committed: the worker indexes the batch while the next one is read and sealed.
      if (queued !== null) this.#search!.index(queued, docs)
      return { inserted, duplicates }
    } catch (cause) {
      const conflict = (cause as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE'
      throw new ServerError(conflict ? 'CONFLICT' : 'STORAGE_ERROR', 'could not store the batch', { cause })
    }
  }

  async existingIds(ids: readonly string[]): Promise<Set<string>> {
    // One statement for the whole batch (json_each joins the id index) instead of one call per id.
    if (ids.length === 0) return new Set()
    return new Set(this.#idExists.all(JSON.stringify(ids)) as string[])
  }

  #statement(sql: string): Database.Statement {
    let stmt = this.#cache.get(sql)
    if (!stmt) {
      stmt = this.#db.prepare(sql)
      if (this.#cache.size > 256) this.#cache.clear()
      this.#cache.set(sql, stmt)
    }
    return stmt
  }

  async query(filter: RecordFilter, page: Page): Promise<QueryResult> {
    const limit = Math.max(1, Math.min(page.limit, 1000))
    const { clauses, params } = filterWhere(filter)
    if (page.cursor !== undefined) {
      clauses.push('r.rowid < ?')
      params.push(decodeCursor(page.cursor))
    }
    const match = filter.q !== undefined ? ftsQuery(filter.q) : null
    if (filter.q !== undefined && match === null) return { records: [], nextCursor: null }
    // Search sees every batch acknowledged before it (the index is written right after each commit).
    if (match !== null) await this.#search?.caughtUp()
    let sql: string
    if (match !== null) {
      // Driven by the FTS index in rowid order, newest first, so a common word stops after one page.
      clauses.unshift('records_fts MATCH ?')
      params.unshift(match)
      sql = `SELECT r.rowid AS rowid, b.json AS json FROM ${this.#fts} JOIN records r ON r.rowid = records_fts.rowid
        JOIN record_body b ON b.rowid = r.rowid WHERE ${clauses.join(' AND ')}
        ORDER BY records_fts.rowid DESC LIMIT ?`
    } else {
      sql = `SELECT r.rowid AS rowid, b.json AS json FROM records r JOIN record_body b ON b.rowid = r.rowid
        ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''} ORDER BY r.rowid DESC LIMIT ?`
    }
    const rows = this.#statement(sql).all(...params, limit + 1) as Array<{ rowid: number; json: string }>
    const more = rows.length > limit
    if (more) rows.pop()
    const last = rows[rows.length - 1]
    return {
      records: rows.map((row) => JSON.parse(row.json) as LedgerRecord),
      nextCursor: more && last ? encodeCursor(last.rowid) : null,
    }
  }

  async get(id: string): Promise<LedgerRecord | null> {
    const json = this.#statement('SELECT b.json FROM records r JOIN record_body b ON b.rowid = r.rowid WHERE r.id = ?')
      .pluck()
      .get(id) as string | undefined
    return json === undefined ? null : (JSON.parse(json) as LedgerRecord)
  }

  async stats(filter: RecordFilter, groupBy: GroupBy | null): Promise<StatsRow[]> {
    // Large selections the rollups can answer (no user/session/tag/q filter, hour-aligned windows) add up
    // hourly rollup rows; small ones and everything else scan the records for exact percentiles.
    const rollupRows = this.#rollups.select(filter, groupBy)
    if (rollupRows !== null && rollupCount(rollupRows) > this.#exactStatsLimit) return rollupStats(rollupRows, groupBy)
    const { clauses, params } = filterWhere(filter)
    if (filter.q !== undefined) {
      const match = ftsQuery(filter.q)
      if (match === null) return []
      await this.#search?.caughtUp()
      clauses.push(`r.rowid IN (SELECT rowid FROM ${this.#fts} WHERE records_fts MATCH ?)`)
      params.push(match)
    }
    const key = groupBy ? groupKeySql[groupBy] : 'NULL'
    const timeKey = groupBy === 'hour' || groupBy === 'day'
    // A time window is a rowid range: walking it beats scanning a whole covering index (alert windows are short).
    const windowed = filter.from !== undefined || filter.to !== undefined
    const sql = `SELECT ${key} AS key, ${statsColumnsSql} FROM records r${windowed ? ' NOT INDEXED' : ''}
      ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''}
      ${groupBy ? `GROUP BY 1 ORDER BY ${timeKey ? '1 ASC' : 'count DESC, 1 ASC'}` : ''}`
    const rows = this.#statement(sql).all(...params) as Array<Record<string, unknown>>
    return rows.filter((row) => (row['count'] as number) > 0).map(toStatsRow)
  }

  async head(stream: string): Promise<StreamHead | null> {
    const row = this.#statement('SELECT stream, seq, hash FROM stream_heads WHERE stream = ?').get(stream) as
      | StreamHead
      | undefined
    return row ?? null
  }

  async *scanStream(stream: string, fromSeq = 0): AsyncIterable<LedgerRecord> {
    // Chunked so no SQLite iterator stays open across an await (the connection is shared).
    const stmt = this.#statement(`SELECT r.seq AS seq, b.json AS json FROM records r
      JOIN record_body b ON b.rowid = r.rowid WHERE r.stream = ? AND r.seq >= ? ORDER BY r.seq LIMIT ${SCAN_CHUNK}`)
    let next = fromSeq
    for (;;) {
      const rows = stmt.all(stream, next) as Array<{ seq: number; json: string }>
      for (const row of rows) yield JSON.parse(row.json) as LedgerRecord
      if (rows.length < SCAN_CHUNK) return
      next = rows[rows.length - 1]!.seq + 1
    }
  }

  async streams(): Promise<string[]> {
    return this.#statement('SELECT stream FROM stream_heads ORDER BY stream').pluck().all() as string[]
  }

  async deleteBefore(ts: string): Promise<number> {
    const ms = Date.parse(ts)
    if (Number.isNaN(ms)) throw new ServerError('BAD_REQUEST', 'ts is not an ISO-8601 time', { path: 'ts' })
    const bound = rowidAt(Math.min(Math.max(ms, -MAX_MS), MAX_MS))
    const run = this.#db.transaction(() => {
      if (!this.#search) this.#db.prepare('DELETE FROM records_fts WHERE rowid < ?').run(bound)
      this.#db.prepare('DELETE FROM record_tags WHERE rid < ?').run(bound)
      this.#db.prepare('DELETE FROM record_body WHERE rowid < ?').run(bound)
      const deleted = this.#db.prepare('DELETE FROM records WHERE rowid < ?').run(bound).changes
      // Rollups of wholly deleted days go; the day holding the bound is recomputed from what is left.
      if (deleted > 0) {
        this.#db.prepare('DELETE FROM stats_hourly WHERE hour < ?').run(Math.floor(ms / 86_400_000) * 86_400_000)
        this.#rollups.rebuild(ms, ms + 1, rowidAt)
      }
      return deleted
    })
    const deleted = run()
    // After the batches handed over before it, so no deleted record is indexed later.
    if (this.#search) await this.#search.deleteBelow(bound)
    return deleted
  }

  async eraseSubject(userId: string): Promise<number> {
    // Batches the writer threads hold or are storing (a group commit waits for more) are stored first: their
    // records are then found below and purged, instead of being indexed after the purge.
    await Promise.all(this.#writers.map((w) => w.settled()))
    if (this.#search) {
      const rowids = this.#db.prepare('SELECT rowid FROM records WHERE user_id = ?').pluck().all(userId) as number[]
      // Queued behind every batch handed over before it: none of this subject's text is indexed afterwards.
      await this.#search.erase(rowids)
      this.#purgeFreedPages()
      await this.#search.purge()
      return rowids.length
    }
    const run = this.#db.transaction(() => {
      const rowids = this.#db.prepare('SELECT rowid FROM records WHERE user_id = ?').pluck().all(userId) as number[]
      const del = this.#db.prepare('DELETE FROM records_fts WHERE rowid = ?')
      for (const rowid of rowids) del.run(rowid)
      // A delete only marks FTS entries; 'optimize' rewrites the index so the terms are really gone.
      if (rowids.length > 0) this.#db.prepare("INSERT INTO records_fts(records_fts) VALUES('optimize')").run()
      return rowids.length
    })
    const erased = run()
    this.#purgeFreedPages()
    return erased
  }

  /**
   * Erased plaintext may survive in freed pages and in the WAL: copy the WAL back, rebuild the file
   * (VACUUM), then empty the WAL. A busy checkpoint (a reader in another process) is an error, not a
   * silent partial purge.
   */
  #purgeFreedPages(): void {
    if (this.#db.memory) return
    this.#checkpoint()
    this.#db.exec('VACUUM')
    this.#checkpoint()
  }

  #checkpoint(): void {
    const [row] = this.#db.pragma('main.wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>
    if (row && row.busy !== 0) {
      throw new ServerError('STORAGE_ERROR', 'could not checkpoint the WAL: another connection is reading; retry')
    }
  }

  async close(): Promise<void> {
    if (!this.#db.open) return
    // Writers first: the batches they hold are stored and handed to the search index before it closes.
    for (const writer of this.#writers) await writer.close()
    await this.#search?.close()
    this.#db.close()
  }
}
