import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { LedgerRecord } from '@promptledger/sdk'
import type Database from 'better-sqlite3'
import { ServerError } from '../../errors.js'
import { FTS_COLUMNS, tuneFullText } from './sqlite-schema.js'
import { type SearchDocs, type SearchReply, type SearchRequest, searchWorkerSource } from './sqlite-search-worker.js'

/** The ledger WAL's growth between two checkpoints by the search worker (see `SearchIndex`). */
export const DEFAULT_WAL_CHECKPOINT_BYTES = 32 * 1024 * 1024

/** A request without its id (the index assigns ids). */
type Op = SearchRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never

/**
 * The full-text index of a file store, kept in its own database (`<ledger>-search`, attached to the store's
 * connection as `search`) and written by a worker thread, so tokenizing ~100 words per record (about a third
 * of an append's CPU) runs on another core after the batch commits, instead of inside the append.
 *
 * Order and crash safety: each append also writes one `search_queue` row (the batch's rowids) in its own
 * transaction; the worker indexes batches in that order and records the last one in `search_state`, in the
 * same transaction as the documents. On open, queued batches past that mark are indexed again (a crash
 * between commit and indexing loses nothing; another process that opens the files meanwhile, such as a CLI
 * command, may index them first: the mark makes the second pass a no-op). This relies on one process appending
 * to a ledger file, the collector: other processes query, erase or apply retention.
 *
 * Reads stay consistent: a full-text query first waits until every batch acknowledged before it is indexed
 * (`caughtUp`), usually one batch's indexing at most.
 *
 * The worker also checkpoints the ledger's WAL (PASSIVE: it never blocks the writer), so copying committed
 * pages into the ledger file is off the appending thread too. It does so by size (`walCheckpointBytes`) or
 * after 10 s without a batch, not after every batch: each complete checkpoint makes the next append restart
 * the WAL, which costs that append an fsync of the WAL header.
 *
 * @example
 * const search = new SearchIndex(db, `${path}-search`)
 * search.index(n, { rowids: [rowid], texts: [text] })
 * await search.caughtUp() // then query search.records_fts
 */
export class SearchIndex {
  readonly #db: Database.Database
  readonly #path: string
  readonly #ledger: string
  readonly #walCheckpointBytes: number
  #worker: Worker | null = null
  #nextId = 1
  readonly #pending = new Map<number, { resolve: (r: SearchReply) => void; reject: (e: Error) => void }>()
  /** Last queue number handed to the worker, and the last one it has indexed. */
  #posted = 0
  #indexed = 0
  #waiters: Array<{ n: number; resolve: () => void; reject: (e: Error) => void }> = []
  #failure: Error | null = null
  readonly #onFailure: Array<() => void> = []
  #closed = false
  #exited = false

  constructor(db: Database.Database, path: string, walCheckpointBytes = DEFAULT_WAL_CHECKPOINT_BYTES) {
    this.#db = db
    this.#path = path
    this.#ledger = db.name
    this.#walCheckpointBytes = walCheckpointBytes
    db.prepare('ATTACH DATABASE ? AS search').run(path)
    db.pragma('search.journal_mode = WAL')
    db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS search.records_fts USING fts5(${FTS_COLUMNS});
      CREATE TABLE IF NOT EXISTS search.search_state (id INTEGER PRIMARY KEY CHECK (id = 0), n INTEGER NOT NULL);`)
    tuneFullText(db, 'search.records_fts')
    this.#indexed = (db.prepare('SELECT n FROM search.search_state WHERE id = 0').pluck().get() as number) ?? 0
    const last = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'search_queue'").pluck().get() as
      | number
      | undefined
    if (this.#indexed > (last ?? 0)) {
      // An index left from another ledger file (the ledger was replaced): it describes none of these records.
      db.exec('DELETE FROM search.records_fts; DELETE FROM search.search_state')
      this.#indexed = 0
    }
    this.#posted = this.#indexed
  }

  /** Called once if the index fails (the WAL then has no checkpointer but the appending connections). */
  onFailure(listener: () => void): void {
    this.#onFailure.push(listener)
  }

  /** The last queue number indexed (queue rows up to it can go). */
  get indexed(): number {
    return this.#indexed
  }

  /** Hands one committed batch to the worker; `n` is its `search_queue` number. */
  index(n: number, docs: SearchDocs): void {
    this.#posted = n
    this.#send({ op: 'index', n, rowids: docs.rowids, texts: docs.texts }).then(
      (reply) => {
        if (!reply.ok) this.#fail(new ServerError('STORAGE_ERROR', `search index: ${reply.message}`))
        else if (reply.n !== undefined) this.#advance(reply.n)
      },
      () => undefined, // #fail has recorded it and rejected the waiters
    )
  }

  /**
   * Hands the worker every queued batch past the last one handed over (at open, the index's mark), with
   * documents made by `text` from the stored bodies.
   */
  recover(text: (record: LedgerRecord) => string): void {
    const queued = this.#db
      .prepare('SELECT n, rowids FROM search_queue WHERE n > ? ORDER BY n')
      .all(this.#posted) as Array<{ n: number; rowids: string }>
    const bodies = this.#db.prepare(
      'SELECT b.rowid AS rowid, b.json AS json FROM json_each(?) j JOIN record_body b ON b.rowid = j.value',
    )
    for (const { n, rowids } of queued) {
      const docs: SearchDocs = { rowids: [], texts: [] }
      for (const { rowid, json } of bodies.all(rowids) as Array<{ rowid: number; json: string }>) {
        const doc = text(JSON.parse(json) as LedgerRecord)
        if (!doc) continue
        docs.rowids.push(rowid)
        docs.texts.push(doc)
      }
      this.index(n, docs)
    }
  }

  /** Resolves once every batch handed over so far is searchable. */
  caughtUp(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure)
    if (this.#indexed >= this.#posted) return Promise.resolve()
    return new Promise((resolve, reject) => this.#waiters.push({ n: this.#posted, resolve, reject }))
  }

  async erase(rowids: number[]): Promise<void> {
    await this.#run({ op: 'erase', rowids })
  }

  async deleteBelow(bound: number): Promise<void> {
    await this.#run({ op: 'deleteBelow', bound })
  }

  /** VACUUM and an emptied WAL for the search file (erasure). */
  async purge(): Promise<void> {
    await this.#run({ op: 'purge' })
  }

  /** Indexes what is handed over, then stops the worker. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#worker && !this.#exited) {
      const worker = this.#worker
      const exited = new Promise((resolve) => worker.once('exit', resolve))
      worker.ref() // until it has exited: its last batches are being indexed
      if (this.#failure) await worker.terminate()
      else await this.#send({ op: 'close' }).catch(() => worker.terminate())
      await exited
    }
    this.#db.exec('DETACH DATABASE search')
  }

  async #run(op: Op): Promise<void> {
    const reply = await this.#send(op)
    if (!reply.ok) throw new ServerError('STORAGE_ERROR', `search index: ${reply.message}`)
  }

  #send(op: Op): Promise<SearchReply> {
    if (this.#failure) return Promise.reject(this.#failure)
    if (this.#closed && op.op !== 'close') {
      return Promise.reject(new ServerError('STORAGE_ERROR', 'the search index is closed'))
    }
    const worker = this.#start()
    const id = this.#nextId++
    // Referenced while it has work: a pending index keeps the process up (and a query waiting on it resolves);
    // an idle worker never does.
    if (this.#pending.size === 0) worker.ref()
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      worker.postMessage({ ...op, id } as SearchRequest)
    })
  }

  #start(): Worker {
    if (this.#worker) return this.#worker
    const driver = createRequire(import.meta.url).resolve('better-sqlite3')
    const worker = new Worker(searchWorkerSource(), {
      eval: true,
      workerData: { driver, path: this.#path, ledger: this.#ledger, walCheckpointBytes: this.#walCheckpointBytes },
    })
    worker.on('message', (reply: SearchReply) => {
      this.#pending.get(reply.id)?.resolve(reply)
      this.#pending.delete(reply.id)
      if (this.#pending.size === 0 && !this.#closed) worker.unref()
    })
    worker.on('error', (err) =>
      this.#fail(new ServerError('STORAGE_ERROR', 'the search worker failed', { cause: err })),
    )
    worker.on('exit', () => {
      this.#exited = true
      if (!this.#closed) this.#fail(new ServerError('STORAGE_ERROR', 'the search worker stopped'))
    })
    // The worker checkpoints the ledger's WAL: the appending thread stops doing it. When the WAL restarts,
    // the first commit truncates the file to this limit, below the worker's threshold, so the file's size
    // tells the worker how much has been appended since (and the file stays bounded).
    this.#db.pragma('wal_autocheckpoint = 0')
    this.#db.pragma(`main.journal_size_limit = ${Math.floor(this.#walCheckpointBytes / 4)}`)
    this.#worker = worker
    return worker
  }

  #advance(n: number): void {
    if (n > this.#indexed) this.#indexed = n
    const ready = this.#waiters.filter((w) => w.n <= this.#indexed)
    if (ready.length === 0) return
    this.#waiters = this.#waiters.filter((w) => w.n > this.#indexed)
    for (const w of ready) w.resolve()
  }

  /** An index that cannot be written fails every later full-text read instead of answering from stale data. */
  #fail(err: Error): void {
    if (this.#failure === null) for (const listener of this.#onFailure) listener()
    this.#failure ??= err
    // Without the worker, the appending connection checkpoints its WAL again (SQLite's default).
    if (this.#db.open) this.#db.pragma('wal_autocheckpoint = 1000')
    for (const w of this.#waiters) w.reject(this.#failure)
    this.#waiters = []
    for (const p of this.#pending.values()) p.reject(this.#failure)
    this.#pending.clear()
  }
}
