import type { ClickHouseClient } from '@clickhouse/client'
import { clickhouseErrorCode, quoteDatabase } from './clickhouse-sql.js'

/**
 * Layout (schema version 1), in its own ClickHouse database (`promptledger` unless configured). Only syntax that
 * ClickHouse 18.16 already had, so the same statements run on it and on current releases:
 * - `records`: the filter and stats columns, the record's canonical JSON line (`body`: what was hashed, byte for
 *   byte) and its search words (`search`). A ReplacingMergeTree partitioned by UTC day and ordered by `(ts, id)`:
 *   time windows read only their days, pages walk the sort order, and two rows of one id (two collectors storing the
 *   same record at the same instant, which no unique constraint can stop here) collapse into one when merged.
 * - `record_ids`: id → ts, ordered by id, so the per-batch duplicate check and `get` look an id up by key instead
 *   of scanning every record.
 * - `stream_heads`: each stream's highest seq and its hash. It outlives retention (records of a stream may all be
 *   deleted; its chain must still continue where it was), and `argMax` reads it exactly before merges collapse it.
 * Both side tables are filled by materialized views from the very INSERT that stores the records, not by a second
 * statement, so a head never runs ahead of or behind its records because a collector stopped between two writes.
 */
export const CH_SCHEMA_VERSION = 1

/** The statements that create version 1 in database `d` (already quoted), in order. */
function ddl(d: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${d}.records (
      id String,
      ts Int64,
      stream String,
      seq Int64,
      model Nullable(String),
      provider Nullable(String),
      user_id Nullable(String),
      session_id Nullable(String),
      app Nullable(String),
      status String,
      latency Nullable(Float64),
      ttft Nullable(Float64),
      input_tokens Nullable(Float64),
      output_tokens Nullable(Float64),
      cost Nullable(Float64),
      response_chars Nullable(Float64),
      uncertain UInt8,
      pii_in_response UInt32,
      injection_score Nullable(Float64),
      tags Array(String),
      hash String,
      body String,
      search String
    ) ENGINE = ReplacingMergeTree
    PARTITION BY toYYYYMMDD(toDateTime(intDiv(ts, 1000), 'UTC'))
    ORDER BY (ts, id)`,
    `CREATE TABLE IF NOT EXISTS ${d}.record_ids (id String, ts Int64) ENGINE = ReplacingMergeTree ORDER BY id`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${d}.record_ids_mv TO ${d}.record_ids
      AS SELECT id, ts FROM ${d}.records`,
    // Column names differ from the records' own: an alias `seq` over max(seq) would shadow the column in argMax.
    `CREATE TABLE IF NOT EXISTS ${d}.stream_heads (stream String, head_seq Int64, head_hash String)
      ENGINE = ReplacingMergeTree(head_seq) ORDER BY stream`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${d}.stream_heads_mv TO ${d}.stream_heads
      AS SELECT stream, max(seq) AS head_seq, argMax(hash, seq) AS head_hash FROM ${d}.records GROUP BY stream`,
    `CREATE TABLE IF NOT EXISTS ${d}.meta (k String, v String) ENGINE = ReplacingMergeTree ORDER BY k`,
  ]
}

/** ClickHouse's codes for "table/database already exists": a concurrent start created it between check and create. */
const ALREADY_EXISTS = new Set([57, 82])

/**
 * Creates the database and its tables if needed and refuses a database written by a newer collector. ClickHouse has
 * no lock to take: every statement is `IF NOT EXISTS`, and a collector starting at the same moment as another may
 * see "already exists" from the race inside one, which is the outcome it wanted.
 */
export async function migrateClickHouse(client: ClickHouseClient, database: string): Promise<void> {
  const d = quoteDatabase(database)
  for (const statement of [`CREATE DATABASE IF NOT EXISTS ${d}`, ...ddl(d)]) {
    try {
      await client.command({ query: statement })
    } catch (err) {
      if (!ALREADY_EXISTS.has(clickhouseErrorCode(err) ?? 0)) throw err
    }
  }
  const result = await client.query({
    query: `SELECT v FROM ${d}.meta WHERE k = 'schema_version'`,
    format: 'JSONEachRow',
  })
  const versions = (await result.json<{ v: string }>()).map((row) => Number(row.v))
  const version = Math.max(0, ...versions)
  if (version > CH_SCHEMA_VERSION) {
    throw new Error(`database schema version ${version} is newer than this collector (${CH_SCHEMA_VERSION})`)
  }
  if (version < CH_SCHEMA_VERSION) {
    await client.insert({
      table: `${d}.meta`,
      values: [{ k: 'schema_version', v: String(CH_SCHEMA_VERSION) }],
      format: 'JSONEachRow',
    })
  }
}
