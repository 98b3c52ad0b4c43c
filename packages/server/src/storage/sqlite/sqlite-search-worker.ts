import type BetterSqlite3 from 'better-sqlite3'
import { BACKGROUND_NICE, lowerThreadPriority } from '../../thread-priority.js'

/**
 * One batch's full-text documents: `texts[i]` is the document of row `rowids[i]`. Two flat arrays, not one
 * [rowid, text] pair per document: each small array costs the serializer an own-keys walk, both ways, and the
 * serving thread an allocation that lives until the batch is handed over.
 */
export interface SearchDocs {
  rowids: number[]
  texts: string[]
}

/** Messages to the search worker; each is answered in order with a `SearchReply` carrying its `id`. */
export type SearchRequest =
  /** Index one appended batch: `n` is its `search_queue` number. */
  | ({ id: number; op: 'index'; n: number } & SearchDocs)
  /** Remove these rowids' documents and rewrite the index so their terms are gone (erasure). */
  | { id: number; op: 'erase'; rowids: number[] }
  /** Remove every document below this rowid (retention). */
  | { id: number; op: 'deleteBelow'; bound: number }
  /** Copy the WAL back, rebuild the file and empty the WAL, so no freed page keeps erased text. */
  | { id: number; op: 'purge' }
  | { id: number; op: 'close' }

export type SearchReply = { id: number; ok: true; n?: number } | { id: number; ok: false; message: string }

export interface SearchWorkerData {
  /** better-sqlite3's entry point, resolved by the parent (an eval'd worker has no module path of its own). */
  driver: string
  /** The search database file. */
  path: string
  /** The ledger database file: the worker checkpoints its WAL, off the thread that appends. */
  ledger: string
  /** Checkpoint the ledger's WAL once it has grown this many bytes since the last checkpoint. */
  walCheckpointBytes: number
}

/** What the worker needs of `node:fs`: the WAL file's size. */
interface WorkerFs {
  statSync(path: string, options: { throwIfNoEntry: false }): { size: number } | undefined
}

interface WorkerPort {
  on(event: 'message', listener: (message: SearchRequest) => void): void
  postMessage(message: SearchReply): void
  close(): void
}

/**
 * The search worker's whole program. It runs in a worker thread from its source text
 * (`searchWorkerSource`), so it uses nothing but its arguments: no imports, no module state.
 * It owns the search database's writes; the collector's thread only reads it.
 */
export function runSearchWorker(
  port: WorkerPort,
  data: SearchWorkerData,
  Database: typeof BetterSqlite3,
  fs: WorkerFs,
): void {
  /** A checkpoint that readers kept from finishing is tried again after this long. */
  const RETRY_MS = 1000
  /** With no batch for this long, the WAL is copied back whatever its size. */
  const IDLE_MS = 10_000
  const db = new Database(data.path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('busy_timeout = 5000')
  const ledger = new Database(data.ledger)
  ledger.pragma('busy_timeout = 5000')
  const insert = db.prepare('INSERT INTO records_fts (rowid, text) VALUES (?, ?)')
  const done = db.prepare('SELECT n FROM search_state WHERE id = 0').pluck()
  const mark = db.prepare('INSERT INTO search_state (id, n) VALUES (0, ?) ON CONFLICT(id) DO UPDATE SET n = excluded.n')
  const remove = db.prepare('DELETE FROM records_fts WHERE rowid = ?')
  const optimize = db.prepare("INSERT INTO records_fts(records_fts) VALUES('optimize')")
  const index = db.transaction((batches: Array<{ n: number } & SearchDocs>) => {
    // Another collector process on the same files may have indexed a batch already (recovery after a
    // crash runs in whichever opens first): the watermark, read under the write lock, decides.
    const at = (done.get() as number | undefined) ?? 0
    let top = at
    for (const { n, rowids, texts } of batches) {
      if (n <= top) continue
      for (let i = 0; i < rowids.length; i++) insert.run(rowids[i], texts[i])
      top = n
    }
    if (top > at) mark.run(top)
    return top
  })
  /**
   * Index requests that arrived together, indexed in one transaction: when this thread falls behind, the batches
   * waiting for it go in at once (FTS5 then writes fewer, larger segments; about a fifth less CPU a document
   * for four batches of 1000 than for one at a time).
   */
  let waiting: Array<Extract<SearchRequest, { op: 'index' }>> = []
  const drain = (): void => {
    if (waiting.length === 0) return
    const batches = waiting
    waiting = []
    try {
      const n = index.immediate(batches)
      afterBatch()
      for (const b of batches) port.postMessage({ id: b.id, ok: true, n })
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      for (const b of batches) port.postMessage({ id: b.id, ok: false, message })
    }
  }
  const erase = db.transaction((rowids: number[]) => {
    for (const rowid of rowids) remove.run(rowid)
    if (rowids.length > 0) optimize.run()
  })
  // The ledger's WAL is checkpointed by size, not after every batch: a checkpoint that copies every frame back
  // makes the next append restart the WAL, and SQLite fsyncs a restarted WAL's header even at synchronous =
  // NORMAL, on the appending (serving) thread. Checkpointing every `walCheckpointBytes` (the appending
  // connection truncates the file back below that on a restart, `journal_size_limit`) makes that one fsync
  // per that many bytes appended. PASSIVE never waits for, nor blocks, the writer.
  const walPath = `${data.ledger}-wal`
  const walSize = () => fs.statSync(walPath, { throwIfNoEntry: false })?.size ?? 0
  /** The WAL's size after the last complete checkpoint: frames up to there are copied back already. */
  let copied = 0
  let timer: ReturnType<typeof setTimeout> | null = null
  let retrying = false
  const schedule = (ms: number) => {
    if (timer) clearTimeout(timer)
    timer = setTimeout(checkpointLedger, ms)
  }
  function checkpointLedger(): void {
    if (timer) clearTimeout(timer)
    timer = null
    const size = walSize()
    // One row, always: busy is 1 when another connection held the checkpoint lock.
    const [row] = ledger.pragma('wal_checkpoint(PASSIVE)') as [{ busy: number; log: number; checkpointed: number }]
    retrying = row.busy !== 0 || row.checkpointed < row.log
    // A reader (a query, another process) holds frames the checkpoint could not copy: the WAL grows until
    // it lets go, so try again soon rather than waiting for another threshold's worth of appends.
    if (retrying) schedule(RETRY_MS)
    else copied = size
  }
  const afterBatch = () => {
    if (retrying) return
    const size = walSize()
    // Smaller than at the last checkpoint: the WAL restarted (and was truncated), every frame in it is new.
    if (size < copied) copied = 0
    if (size - copied >= data.walCheckpointBytes) checkpointLedger()
    else schedule(IDLE_MS)
  }
  const stopCheckpoints = () => {
    if (timer) clearTimeout(timer)
    timer = null
    retrying = false
  }
  const checkpoint = () => {
    const [row] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>
    if (row && row.busy !== 0) throw new Error('could not checkpoint the search WAL: another connection is reading')
  }
  port.on('message', (m) => {
    if (m.op === 'index') {
      // Indexed once the messages already queued are read (setImmediate runs after them).
      if (waiting.push(m) === 1) setImmediate(drain)
      return
    }
    // Every other request comes after the batches handed over before it.
    drain()
    try {
      switch (m.op) {
        case 'erase':
          // Erasure checkpoints the ledger itself (TRUNCATE, from the appending thread): no checkpoint of
          // ours may hold the checkpoint lock meanwhile. The next batch arms the timer again.
          stopCheckpoints()
          erase.immediate(m.rowids)
          break
        case 'deleteBelow':
          db.prepare('DELETE FROM records_fts WHERE rowid < ?').run(m.bound)
          break
        case 'purge':
          checkpoint()
          db.exec('VACUUM')
          checkpoint()
          break
        case 'close':
          stopCheckpoints()
          // Leaves an empty WAL for whoever opens the ledger next. Best effort: a reader in another process
          // may hold it, and the close must not wait for it.
          ledger.pragma('busy_timeout = 0')
          ledger.pragma('wal_checkpoint(TRUNCATE)')
          ledger.close()
          db.close()
          port.postMessage({ id: m.id, ok: true })
          port.close()
          return
      }
      port.postMessage({ id: m.id, ok: true })
    } catch (err) {
      port.postMessage({ id: m.id, ok: false, message: err instanceof Error ? err.message : String(err) })
    }
  })
}

/**
 * The source an eval'd worker runs: `runSearchWorker` with the thread's port and data. Transpilers that keep
 * function names (esbuild under tsx) wrap inner functions in a `__name` helper from their module scope; the
 * worker gets a no-op one. The thread first lowers its priority (thread-priority.ts): indexing fills the gaps
 * the serving thread leaves.
 */
export function searchWorkerSource(): string {
  return `const { parentPort, workerData } = require('node:worker_threads');
const __name = (fn) => fn;
(${lowerThreadPriority.toString()})(require('node:os'), require('node:fs'), ${BACKGROUND_NICE});
(${runSearchWorker.toString()})(parentPort, workerData, require(workerData.driver), require('node:fs'));`
}
