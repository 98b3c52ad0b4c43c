import type { PoolClient } from 'pg'
import { STORE_NAME } from '../backend-common.js'
import { rollupDdl } from './postgres-rollup.js'

/**
 * Layout (schema version 1), in its own PostgreSQL schema (`promptledger` unless configured):
 * - `records` holds the filter and stats columns, the record's canonical JSON line (`body`, text: what was hashed,
 *   byte for byte) and its full-text vector (`search`, over redacted content only). Times are epoch milliseconds, as
 *   in the record's own ordering; pages walk `(ts, id)` newest first.
 * - `stream_heads` keeps each sealed stream's head so a collector continues its chain after a restart.
 * - `stats_hourly` holds hourly and daily rollups for stats over large selections (postgres-rollup.ts).
 * Several collectors may share one database: each seals its own stream, so they never write the same head.
 */
export const PG_SCHEMA_VERSION = 1

/** The statements that create version 1 in schema `s` (already quoted). */
function ddl(s: string): string {
  return `
CREATE TABLE IF NOT EXISTS ${s}.records (
  id text PRIMARY KEY,
  ts bigint NOT NULL,
  stream text NOT NULL,
  seq bigint NOT NULL,
  model text,
  provider text,
  user_id text,
  session_id text,
  app text,
  status text NOT NULL,
  latency double precision,
  ttft double precision,
  input_tokens double precision,
  output_tokens double precision,
  cost double precision,
  response_chars double precision,
  uncertain smallint NOT NULL,
  pii_in_response integer NOT NULL,
  injection_score double precision,
  tags text[] NOT NULL,
  hash text NOT NULL,
  body text NOT NULL,
  search tsvector
);
CREATE UNIQUE INDEX IF NOT EXISTS records_stream_seq ON ${s}.records (stream, seq);
CREATE INDEX IF NOT EXISTS records_ts ON ${s}.records (ts, id);
CREATE INDEX IF NOT EXISTS records_model ON ${s}.records (model, ts);
CREATE INDEX IF NOT EXISTS records_user ON ${s}.records (user_id, ts);
CREATE INDEX IF NOT EXISTS records_session ON ${s}.records (session_id, ts);
CREATE INDEX IF NOT EXISTS records_app ON ${s}.records (app, ts);
CREATE INDEX IF NOT EXISTS records_provider ON ${s}.records (provider, ts);
CREATE INDEX IF NOT EXISTS records_tags ON ${s}.records USING gin (tags);
CREATE INDEX IF NOT EXISTS records_search ON ${s}.records USING gin (search);
CREATE TABLE IF NOT EXISTS ${s}.stream_heads (stream text PRIMARY KEY, seq bigint NOT NULL, hash text NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.meta (k text PRIMARY KEY, v text NOT NULL);
${rollupDdl(s)}`
}

/** A schema name as an SQL identifier: lower-case letters, digits and `_`, quoted. */
export function quoteSchema(name: string): string {
  if (!STORE_NAME.test(name)) {
    throw new RangeError(`postgres schema name ${JSON.stringify(name)}: use lower-case letters, digits and _`)
  }
  return `"${name}"`
}

/**
 * Creates the schema and its tables if needed, under an advisory lock so collectors starting together do not race,
 * and refuses a database written by a newer collector.
 */
export async function migratePostgres(client: PoolClient, schema: string): Promise<void> {
  const s = quoteSchema(schema)
  await client.query('BEGIN')
  try {
    // One lock per schema name (hashtext is stable): concurrent starts wait for the first one's DDL.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`promptledger:${schema}`])
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`)
    await client.query(ddl(s))
    const found = await client.query<{ v: string }>(`SELECT v FROM ${s}.meta WHERE k = 'schema_version'`)
    const version = found.rows[0] ? Number(found.rows[0].v) : 0
    if (version > PG_SCHEMA_VERSION) {
      throw new Error(`database schema version ${version} is newer than this collector (${PG_SCHEMA_VERSION})`)
    }
    await client.query(
      `INSERT INTO ${s}.meta (k, v) VALUES ('schema_version', $1) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v`,
      [String(PG_SCHEMA_VERSION)],
    )
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK')
    throw err
  }
}
