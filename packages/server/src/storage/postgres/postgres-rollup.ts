import type pg from 'pg'
import type { RecordColumns } from '../record-columns.js'
import { DAY_MS, mergeHistBlob, mergeSums, type PendingRollup, RollupBatch, rollupSelection } from '../rollup-core.js'
import type { GroupBy, RecordFilter } from '../storage.js'

/**
 * The rollup table of a PostgreSQL store (what a row holds and how precise it is: rollup-core.ts). Counts and sums are
 * float8 so the driver hands them over as numbers; histograms are the packed blobs every backend shares.
 */
export function rollupDdl(s: string): string {
  return `
CREATE TABLE IF NOT EXISTS ${s}.stats_hourly (
  k text PRIMARY KEY,
  span bigint NOT NULL,
  hour bigint NOT NULL,
  model text,
  provider text,
  app text,
  status text NOT NULL,
  count double precision NOT NULL,
  input_tokens double precision NOT NULL,
  output_tokens double precision NOT NULL,
  cost double precision NOT NULL,
  cost_n double precision NOT NULL,
  rc_sum double precision NOT NULL,
  rc_n double precision NOT NULL,
  uncertain double precision NOT NULL,
  pii_leaks double precision NOT NULL,
  injection_max double precision,
  latency_hist bytea NOT NULL,
  ttft_hist bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS stats_hourly_span ON ${s}.stats_hourly (span, hour);
`
}

const SUMS = 'count, input_tokens, output_tokens, cost, cost_n, rc_sum, rc_n, uncertain, pii_leaks, injection_max'
/** What stats read of a rollup row (every column but the key text). */
const STATS_COLUMNS = `hour::float8 AS hour, model, provider, app, status, ${SUMS}, latency_hist, ttft_hist`
/** The records columns a rollup needs, for rebuilding rollups from stored rows. */
const REBUILD_COLUMNS = `ts::float8 AS ts, model, provider, app, status, latency, ttft, input_tokens, output_tokens, cost,
  response_chars, uncertain, pii_in_response, injection_score`

/**
 * Merges a batch's rollups into `stats_hourly` inside the caller's transaction. Several collectors may append at
 * once: missing rows are created first (in key order, so two batches never wait on each other's keys crosswise), then
 * every row the batch touches is locked (`FOR UPDATE`, in key order) before its sums and histograms are merged, so no
 * concurrent batch's counts are lost.
 */
export async function mergeRollups(client: pg.PoolClient, s: string, batch: RollupBatch): Promise<void> {
  const rows = [...batch.rows.values()].sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
  if (rows.length === 0) return
  const keys = rows.map((r) => r.k)
  await client.query(
    `INSERT INTO ${s}.stats_hourly (k, span, hour, model, provider, app, status, ${SUMS}, latency_hist, ttft_hist)
     SELECT u.k, u.span, u.hour, u.model, u.provider, u.app, u.status, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, '', ''
     FROM unnest($1::text[], $2::int8[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::text[])
       AS u(k, span, hour, model, provider, app, status)
     ORDER BY u.k
     ON CONFLICT (k) DO NOTHING`,
    [
      keys,
      rows.map((r) => r.span),
      rows.map((r) => r.hour),
      rows.map((r) => r.model),
      rows.map((r) => r.provider),
      rows.map((r) => r.app),
      rows.map((r) => r.status),
    ],
  )
  const locked = await client.query<Record<string, unknown> & { k: string }>(
    `SELECT k, ${SUMS}, latency_hist, ttft_hist FROM ${s}.stats_hourly WHERE k = ANY($1::text[]) ORDER BY k FOR UPDATE`,
    [keys],
  )
  const stored = new Map(locked.rows.map((row) => [row.k, row]))
  const merged = rows.map((r) => merge(r, stored.get(r.k)))
  await client.query(
    `UPDATE ${s}.stats_hourly t SET count = u.count, input_tokens = u.input_tokens, output_tokens = u.output_tokens,
       cost = u.cost, cost_n = u.cost_n, rc_sum = u.rc_sum, rc_n = u.rc_n, uncertain = u.uncertain,
       pii_leaks = u.pii_leaks, injection_max = u.injection_max, latency_hist = u.latency_hist, ttft_hist = u.ttft_hist
     FROM unnest($1::text[], $2::float8[], $3::float8[], $4::float8[], $5::float8[], $6::float8[], $7::float8[],
       $8::float8[], $9::float8[], $10::float8[], $11::float8[], $12::bytea[], $13::bytea[])
       AS u(k, count, input_tokens, output_tokens, cost, cost_n, rc_sum, rc_n, uncertain, pii_leaks, injection_max,
         latency_hist, ttft_hist)
     WHERE t.k = u.k`,
    [
      keys,
      ...(
        ['count', 'inputTokens', 'outputTokens', 'cost', 'costN', 'rcSum', 'rcN', 'uncertain', 'piiLeaks'] as const
      ).map((f) => merged.map((m) => m.r[f])),
      merged.map((m) => m.r.injectionMax),
      merged.map((m) => m.latency),
      merged.map((m) => m.ttft),
    ],
  )
  batch.rows.clear()
}

/** A batch's rollup with the stored row's sums added, and both histograms merged into blobs. */
function merge(r: PendingRollup, old: Record<string, unknown> | undefined) {
  if (old) mergeSums(r, old)
  return {
    r,
    latency: mergeHistBlob(old?.['latency_hist'] as Buffer | undefined, r.latency),
    ttft: mergeHistBlob(old?.['ttft_hist'] as Buffer | undefined, r.ttft),
  }
}

/** Recomputes the rollups of the days around [fromMs, toMs) from the stored records (retention). */
export async function rebuildRollups(client: pg.PoolClient, s: string, fromMs: number, toMs: number): Promise<void> {
  const lo = Math.floor(fromMs / DAY_MS) * DAY_MS
  const hi = Math.ceil(toMs / DAY_MS) * DAY_MS
  await client.query(`DELETE FROM ${s}.stats_hourly WHERE hour >= $1 AND hour < $2`, [lo, hi])
  const { rows } = await client.query<RecordColumns>(
    `SELECT ${REBUILD_COLUMNS} FROM ${s}.records WHERE ts >= $1 AND ts < $2`,
    [lo, hi],
  )
  const batch = new RollupBatch()
  for (const row of rows) batch.add(row)
  await mergeRollups(client, s, batch)
}

/** Rollup rows matching a filter, or null when the filter needs record columns rollups do not keep. */
export async function selectRollups(
  query: (sql: string, params: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>,
  s: string,
  filter: RecordFilter,
  groupBy: GroupBy | null,
): Promise<Record<string, unknown>[] | null> {
  const selection = rollupSelection(filter, groupBy)
  if (selection === null) return null
  const params: unknown[] = [selection.span]
  const clauses = ['span = $1']
  for (const w of selection.where) {
    params.push(w.value)
    clauses.push(`${w.column} ${w.op} $${params.length}`)
  }
  const { rows } = await query(`SELECT ${STATS_COLUMNS} FROM ${s}.stats_hourly WHERE ${clauses.join(' AND ')}`, params)
  return rows
}
