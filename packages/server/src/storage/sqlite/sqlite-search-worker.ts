import type BetterSqlite3 from 'better-sqlite3'

/** Messages to the search worker; each is answered in order with a `SearchReply` carrying its `id`. */
export type SearchRequest =
  /** Index one appended batch: `n` is its `search_queue` number, rows are [rowid, text]. */
  | { id: number; op: 'index'; n: number; rows: Array<[number, string]> }
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
export function runSearchWorker(port: WorkerPort, data: SearchWorkerData, Database: typeof BetterSqlite3): void {
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
  const index = db.transaction((n: number, rows: Array<[number, string]>) => {
    // Another collector process on the same files may have indexed this batch already (recovery after a
    // crash runs in whichever opens first): the watermark, read under the write lock, decides.
    const at = (done.get() as number | undefined) ?? 0
    if (n <= at) return at
    for (const [rowid, text] of rows) insert.run(rowid, text)
    mark.run(n)
    return n
  })
  const erase = db.transaction((rowids: number[]) => {
    for (const rowid of rowids) remove.run(rowid)
    if (rowids.length > 0) optimize.run()
  })
  const checkpoint = () => {
    const [row] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>
    if (row && row.busy !== 0) throw new Error('could not checkpoint the search WAL: another connection is reading')
  }
  port.on('message', (m) => {
    try {
      switch (m.op) {
        case 'index': {
          const n = index.immediate(m.n, m.rows)
          // Copies the ledger's committed WAL pages into its file (the appending thread skips automatic
          // checkpoints when this worker runs). PASSIVE never waits for, nor blocks, the writer.
          ledger.pragma('wal_checkpoint(PASSIVE)')
          port.postMessage({ id: m.id, ok: true, n })
          return
        }
        case 'erase':
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
 * worker gets a no-op one.
 */
export function searchWorkerSource(): string {
  return `const { parentPort, workerData } = require('node:worker_threads');
const __name = (fn) => fn;
(${runSearchWorker.toString()})(parentPort, workerData, require(workerData.driver));`
}
