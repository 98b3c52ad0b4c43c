import type Database from 'better-sqlite3'

/**
 * Layout (schema version 1):
 * - `records` is narrow (filter and stats columns only) so stats scan ~100 bytes a row, not the 1 KB+ body.
 *   Its rowid is `ts_ms * ROWID_PER_MS + n`, so rowid order is time order: newest-first pages, time
 *   windows and full-text results all walk the primary key (or an index ending in rowid) without a sort.
 * - `record_body` holds the whole record JSON, read only for the page being returned.
 * - `records_fts` is a contentless FTS5 index over redacted text (no second plaintext copy kept).
 * - `stream_heads` keeps each sealed stream's head so a restarted collector continues its chain in O(1).
 */
export const SCHEMA_VERSION = 1

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
-- Covering index for stats by model: the aggregate scan reads it in model order and never visits the table.
CREATE INDEX IF NOT EXISTS records_model_stats ON records(model, status, latency, ttft, input_tokens, output_tokens,
  cost, response_chars, uncertain, pii_in_response, injection_score);
CREATE INDEX IF NOT EXISTS records_provider ON records(provider);
CREATE INDEX IF NOT EXISTS records_user ON records(user_id);
CREATE INDEX IF NOT EXISTS records_session ON records(session_id);
CREATE INDEX IF NOT EXISTS records_app ON records(app);
CREATE INDEX IF NOT EXISTS records_status ON records(status);
CREATE TABLE IF NOT EXISTS record_body (rowid INTEGER PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS record_tags (tag TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (tag, rid)) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS records_fts USING fts5(text, content='', contentless_delete=1);
CREATE TABLE IF NOT EXISTS stream_heads (stream TEXT PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL);
`

/** Opens the database in WAL mode and creates the schema if needed. */
export function migrate(db: Database.Database): void {
  // WAL lets readers run while a batch commits; NORMAL sync is durable across process crashes (the
  // failure the delivery tests exercise) and only risks the last commits on power loss.
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('temp_store = MEMORY')
  db.pragma('cache_size = -65536')
  db.pragma('mmap_size = 268435456')
  db.pragma('busy_timeout = 5000')
  const version = db.pragma('user_version', { simple: true }) as number
  if (version > SCHEMA_VERSION) {
    throw new Error(`database schema version ${version} is newer than this collector (${SCHEMA_VERSION})`)
  }
  db.exec(DDL)
  db.pragma(`user_version = ${SCHEMA_VERSION}`)
}
