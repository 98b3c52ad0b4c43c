import type { PoolClient } from 'pg'
import { STORE_NAME } from '../backend-common.js'
import { DAY_MS } from '../rollup-core.js'
import { rollupDdl } from './postgres-rollup.js'

/**
 * Layout (schema version 2), in its own PostgreSQL schema (`promptledger` unless configured):
 * - `records` holds the filter and stats columns, the record's canonical JSON line (`body`, text: what was hashed,
 *   byte for byte) and its full-text vector (`search`, over redacted content only). Times are epoch milliseconds, as
 *   in the record's own ordering; pages walk `(ts, id)` newest first. The table is partitioned by UTC day (`day`, the
 *   whole days since the epoch of `ts`), one partition a day (`records_20261128`), created by the first append that
 *   needs it: retention drops whole days, and a time window reads only its days' partitions.
 * - `stream_heads` keeps each sealed stream's head so a collector continues its chain after a restart.
 * - `stats_hourly` holds hourly and daily rollups for stats over large selections (postgres-rollup.ts).
 * Several collectors may share one database: each seals its own stream, so they never write the same head.
 *
 * PostgreSQL's unique indexes on a partitioned table must hold the partition key: the id is unique per day (a
 * record's day never changes, so a retried record is still a duplicate), and so is a stream's seq (two collectors
 * misconfigured with one stream name collide within the day; across days `verify` reports the repeated seq).
 * Version 1 (one unpartitioned table) is moved into this layout on first open (`migratePostgres`).
 */
export const PG_SCHEMA_VERSION = 2

/** The columns of `records`, in table order (version 1 had all but `day`). */
const RECORD_TABLE_COLUMNS = `id text NOT NULL,
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
  search tsvector`

/** The statements that create version 2 in schema `s` (already quoted). */
function ddl(s: string): string {
  return `
CREATE TABLE IF NOT EXISTS ${s}.records (
  ${RECORD_TABLE_COLUMNS},
  day integer NOT NULL,
  PRIMARY KEY (id, day)
) PARTITION BY RANGE (day);
CREATE UNIQUE INDEX IF NOT EXISTS records_stream_seq ON ${s}.records (stream, seq, day);
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

/** The UTC day (whole days since the epoch) of a time in epoch milliseconds: the partition a record lives in. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS)
}

/** The name of a day's partition (already quoted): `records_20261128`, or `records_d<day>` outside years 0–9999. */
export function partitionName(s: string, day: number): string {
  const iso = new Date(day * DAY_MS).toISOString()
  const date = /^\d{4}-\d{2}-\d{2}T/.test(iso) ? iso.slice(0, 10).replaceAll('-', '') : `d${day}`
  return `${s}."records_${date}"`
}

/** The statement that creates a day's partition unless it exists. */
function partitionDdl(s: string, day: number): string {
  return `CREATE TABLE IF NOT EXISTS ${partitionName(s, day)} PARTITION OF ${s}.records FOR VALUES FROM (${day}) TO (${day + 1})`
}

/** The lock every change to the set of partitions (and the migration) takes, per schema. */
export async function lockPartitions(client: PoolClient, schema: string): Promise<void> {
  // One lock per schema name (hashtext is stable): concurrent collectors wait for each other's DDL.
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`promptledger:${schema}`])
}

/**
 * Creates the partitions of `days` that do not exist yet, in a transaction of its own on `client` (DDL on the
 * partitioned table locks it briefly; once a day per collector).
 */
export async function createPartitions(client: PoolClient, schema: string, days: Iterable<number>): Promise<void> {
  const s = quoteSchema(schema)
  await client.query('BEGIN')
  try {
    await lockPartitions(client, schema)
    for (const day of days) {
      await client.query(partitionDdl(s, day))
    }
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  }
}

/** Each partition of `records` with its day, oldest first (read from the partition bounds, not the names). */
export async function listPartitions(client: PoolClient, s: string): Promise<Array<{ name: string; day: number }>> {
  const { rows } = await client.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = '${s}.records'::regclass`,
  )
  const parts: Array<{ name: string; day: number }> = []
  for (const row of rows) {
    const from = /FROM \('?(-?\d+)'?\)/.exec(row.bound)
    if (from) parts.push({ name: `${s}."${row.name}"`, day: Number(from[1]) })
  }
  return parts.sort((a, b) => a.day - b.day)
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
 * moves a version 1 store into the partitioned layout, and refuses a database written by a newer collector.
 */
export async function migratePostgres(client: PoolClient, schema: string): Promise<void> {
  const s = quoteSchema(schema)
  await client.query('BEGIN')
  try {
    await lockPartitions(client, schema)
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`)
    const version = await schemaVersion(client, s)
    if (version > PG_SCHEMA_VERSION) {
      throw new Error(`database schema version ${version} is newer than this collector (${PG_SCHEMA_VERSION})`)
    }
    const unpartitioned = await isPlainTable(client, `${s}.records`)
    if (unpartitioned) await client.query(`ALTER TABLE ${s}.records RENAME TO records_v1`)
    if (unpartitioned) await dropV1Names(client, s)
    await client.query(ddl(s))
    if (unpartitioned) await moveV1Rows(client, s)
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

/** The version the store records in its `meta` table, 0 for a schema without one (a new store). */
async function schemaVersion(client: PoolClient, s: string): Promise<number> {
  const { rows } = await client.query<{ meta: string | null }>('SELECT to_regclass($1)::text AS meta', [`${s}.meta`])
  if (rows[0]?.meta == null) return 0
  const found = await client.query<{ v: string }>(`SELECT v FROM ${s}.meta WHERE k = 'schema_version'`)
  return found.rows[0] ? Number(found.rows[0].v) : 0
}

/** Whether `table` exists as an ordinary (unpartitioned) table: version 1's `records`. */
async function isPlainTable(client: PoolClient, table: string): Promise<boolean> {
  const { rows } = await client.query<{ kind: string | null }>(
    'SELECT (SELECT relkind::text FROM pg_class WHERE oid = to_regclass($1)) AS kind',
    [table],
  )
  return rows[0]?.kind === 'r'
}

/** Frees the index and constraint names version 1's table holds (index names are per schema, not per table). */
async function dropV1Names(client: PoolClient, s: string): Promise<void> {
  await client.query(`ALTER TABLE ${s}.records_v1 DROP CONSTRAINT IF EXISTS records_pkey`)
  for (const name of ['stream_seq', 'ts', 'model', 'user', 'session', 'app', 'provider', 'tags', 'search']) {
    await client.query(`DROP INDEX IF EXISTS ${s}.records_${name}`)
  }
}

/** Copies version 1's rows into their day partitions and drops the old table, in the migration's transaction. */
async function moveV1Rows(client: PoolClient, s: string): Promise<void> {
  const { rows } = await client.query<{ day: number }>(
    `SELECT DISTINCT floor(ts / ${DAY_MS}::float8)::integer AS day FROM ${s}.records_v1`,
  )
  for (const { day } of rows) {
    await client.query(partitionDdl(s, day))
  }
  const columns = RECORD_TABLE_COLUMNS.split(',\n').map((line) => line.trim().split(' ')[0]!)
  await client.query(
    `INSERT INTO ${s}.records (${columns.join(', ')}, day)
     SELECT ${columns.join(', ')}, floor(ts / ${DAY_MS}::float8)::integer FROM ${s}.records_v1`,
  )
  await client.query(`DROP TABLE ${s}.records_v1`)
}
