import type Database from 'better-sqlite3'
import { ROLLUP_DDL, Rollups } from './sqlite-rollup.js'

/**
 * Layout (schema version 1):
 * - `records` is narrow (filter and stats columns only) so stats scan ~100 bytes a row, not the 1 KB+ body.
 *   Its rowid is `ts_ms * ROWID_PER_MS + n`, so rowid order is time order: newest-first pages, time
 *   windows and full-text results all walk the primary key (or an index ending in rowid) without a sort.
 * - `record_body` holds the whole record JSON, read only for the page being returned.
 * - `records_fts` is a contentless FTS5 index over redacted text (no second plaintext copy kept, no token
 *   positions). A file store from version 3 on keeps it in its own database file, written by a worker
 *   (sqlite-search.ts); `search_queue` holds each appended batch's rowids until that index has them.
 *   In-memory stores, and files from before version 3, keep it in this database, written inside the append.
 * - `stream_heads` keeps each sealed stream's head so a restarted collector continues its chain in O(1).
 * - `stats_hourly` (version 2) holds hourly rollups for stats over large selections (sqlite-rollup.ts).
 *   Version 2 also dropped two indexes that cost every insert: the wide covering index for stats by model
 *   (rollups replace it) and the index on `status` (two values: a newest-first walk finds them at once).
 * - Version 4 counts, per rollup row, the records with a known cost (`cost_n`), so stats tell an unpriced group
 *   (cost unknown) from a free one; rollups of stores from before are rebuilt once.
 */
export const SCHEMA_VERSION = 4

/** Records per millisecond before rowids spill into the next slot (order then is off by < 1 ms). */
export const ROWID_PER_MS = 1024

const DDL = `
CREATE TABLE IF NOT EXISTS records (
  rowid INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  ts INTEGER NOT NULL,
  stream TEXT NOT NULL,
  seq INTEGER NOT NULL,
  model TEXT,
  provider TEXT,
  user_id TEXT,
  session_id TEXT,
  app TEXT,
  status TEXT NOT NULL,
  latency REAL,
  ttft REAL,
  input_tokens INTEGER,
  output_tokens INTEGER,
  cost REAL,
  response_chars INTEGER,
  uncertain INTEGER NOT NULL,
  pii_in_response INTEGER NOT NULL,
  injection_score REAL
);
CREATE UNIQUE INDEX IF NOT EXISTS records_id ON records(id);
CREATE UNIQUE INDEX IF NOT EXISTS records_stream_seq ON records(stream, seq);
CREATE INDEX IF NOT EXISTS records_model ON records(model);
DROP INDEX IF EXISTS records_model_stats;
CREATE INDEX IF NOT EXISTS records_provider ON records(provider);
CREATE INDEX IF NOT EXISTS records_user ON records(user_id);
CREATE INDEX IF NOT EXISTS records_session ON records(session_id);
CREATE INDEX IF NOT EXISTS records_app ON records(app);
DROP INDEX IF EXISTS records_status;
CREATE TABLE IF NOT EXISTS record_body (rowid INTEGER PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS record_tags (tag TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (tag, rid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS search_queue (n INTEGER PRIMARY KEY AUTOINCREMENT, rowids TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stream_heads (stream TEXT PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL);
`

/**
 * The full-text index's definition (also sqlite-search.ts). `detail=none` keeps rowids per token and no
 * positions: searches are all-words-anywhere (ftsQuery), and indexing costs about a third less CPU
 * (bench/ingest.bench.ts). Indexes created before keep their definition; the same queries run on both.
 */
export const FTS_COLUMNS = "text, content='', contentless_delete=1, detail=none"

const INLINE_FTS = `CREATE VIRTUAL TABLE IF NOT EXISTS records_fts USING fts5(${FTS_COLUMNS})`

/**
 * FTS5 merges a level's segments once `automerge` of them have piled up (default 4). Merging is about 40 % of
 * what indexing a document costs on the ingest bench; at 8 there are two thirds as many levels, so each
 * document's postings are rewritten fewer times (CPU a document, batches of 1,000, two rounds each: 8.4 → 7.4 µs
 * for 40,000 documents, 10.4 → 9.3 µs for 100,000). A query reads up to 7 segments a level instead of 3: at
 * 100,000 documents 105 against 88 µs for a common word, a rare one and a pair. Stored in the index's own config
 * table and set when a store opens an index without it, so indexes created before get it too.
 */
export const FTS_AUTOMERGE = 8

/**
 * Applies the index settings above to the full-text table `table` (e.g. `search.records_fts`). Written only when
 * they differ: every process that opens the store comes here, and a write would wait for the search worker's lock.
 */
export function tuneFullText(db: Database.Database, table: string): void {
  const set = db.prepare(`SELECT v FROM ${table}_config WHERE k = 'automerge'`).pluck().get()
  if (set === FTS_AUTOMERGE) return
  const name = table.slice(table.lastIndexOf('.') + 1)
  // A literal: FTS5 takes only an integer, and better-sqlite3 binds a JavaScript number as a REAL.
  db.exec(`INSERT INTO ${table}(${name}, rank) VALUES ('automerge', ${FTS_AUTOMERGE})`)
}

/**
 * What every connection to a store sets (the store's own and the writer thread's): NORMAL sync (see `migrate`), a
 * 64 MiB page cache, index pages read through a 256 MiB map, and a wait on a locked database instead of an error.
 */
export function connectionSettings(db: Database.Database): void {
  db.pragma('synchronous = NORMAL')
  db.pragma('temp_store = MEMORY')
  db.pragma('cache_size = -65536')
  db.pragma('mmap_size = 268435456')
  db.pragma('busy_timeout = 5000')
}

/**
 * Opens the database in WAL mode and creates the schema if needed. Returns where the full-text index lives:
 * 'inline' (in this database: in-memory stores and files created before version 3) or 'separate'.
 */
export function migrate(db: Database.Database): 'inline' | 'separate' {
  // WAL lets readers run while a batch commits; NORMAL sync is durable across process crashes (the
  // failure the delivery tests exercise) and only risks the last commits on power loss.
  // 16 KiB pages for a new file (ignored once it has content): a 1.3 KB body row then costs a quarter of the
  // page writes and WAL frames of 4 KiB pages; on the ingest bench that cut the kernel time of a body insert by ~30 %.
  db.pragma('page_size = 16384')
  db.pragma('journal_mode = WAL')
  connectionSettings(db)
  const version = db.pragma('user_version', { simple: true }) as number
  if (version > SCHEMA_VERSION) {
    throw new Error(`database schema version ${version} is newer than this collector (${SCHEMA_VERSION})`)
  }
  const hasInlineIndex = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'records_fts'").get() !== undefined
  const search = db.memory || hasInlineIndex ? 'inline' : 'separate'
  db.exec(DDL)
  db.exec(ROLLUP_DDL)
  if (search === 'inline') {
    db.exec(INLINE_FTS)
    tuneFullText(db, 'records_fts')
  }
  if (version < 4) {
    // A rollup table from versions 2 and 3 lacks the cost count; the rebuild below fills it.
    const columns = db.prepare("SELECT name FROM pragma_table_info('stats_hourly')").pluck().all()
    if (!columns.includes('cost_n')) db.exec('ALTER TABLE stats_hourly ADD COLUMN cost_n INTEGER NOT NULL DEFAULT 0')
    // Rollups of the records stored before version 4 (one pass; an empty store costs nothing).
    const range = db.prepare('SELECT min(ts) AS lo, max(ts) AS hi FROM records').get() as {
      lo: number | null
      hi: number | null
    }
    if (range.lo !== null && range.hi !== null) {
      db.transaction(() => new Rollups(db).rebuild(range.lo!, range.hi! + 1, (ms) => ms * ROWID_PER_MS))()
    }
  }
  db.pragma(`user_version = ${SCHEMA_VERSION}`)
  return search
}
