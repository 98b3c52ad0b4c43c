import { BUCKETS } from '../rollup-core.js'
import { histPercentile, histTotal } from '../rollup-read.js'
import type { GroupBy, StatsRow } from '../storage.js'

/**
 * The key of each grouping. Time buckets are epoch milliseconds cut in integer arithmetic, which is UTC whatever
 * the server's time zone; `statsKey` turns them into the ISO strings every backend gives.
 */
const GROUP_KEY_SQL: Record<GroupBy, string> = {
  model: 'model',
  provider: 'provider',
  user_id: 'user_id',
  app: 'app',
  status: 'status',
  hour: 'intDiv(ts, 3600000) * 3600000',
  day: 'intDiv(ts, 86400000) * 86400000',
}

/**
 * The exact percentile `p` of a sorted array `a`, interpolated between the two values around rank (n − 1)·p as
 * PostgreSQL's `percentile_cont` and SQLite's `percentile()` do; NULL for an empty array. Built from array functions
 * because ClickHouse 18.16's `quantileExact` picks one value without interpolating, and `quantileExactInclusive`
 * came later. Indexes stay integers: 18.16's `least` refuses to mix Float64 and UInt64.
 *
 * @example
 * percentileSql('lat', 0.5) // 'if(empty(lat), NULL, lat[toUInt64(…) + 1] + …)'
 */
export function percentileSql(a: string, p: number): string {
  const rank = `((length(${a}) - 1) * ${p})`
  const low = `${a}[toUInt64(${rank}) + 1]`
  const high = `${a}[least(toUInt64(${rank}) + 2, length(${a}))]`
  return `if(empty(${a}), NULL, ${low} + (${rank} - toUInt64(${rank})) * (${high} - ${low}))`
}

/**
 * One aggregate pass per group (inner query); aliases differ from column names, because ClickHouse lets an alias
 * shadow a column anywhere in its query. NULLs are skipped by `groupArray`, `sum`, `count(x)`, `avg` and `max`, and
 * `sum`/`avg`/`max` of nothing but NULLs is NULL: a group without any known cost keeps a NULL cost.
 */
const SUMS = `count() AS n,
  countIf(status = 'error') AS errors,
  ifNull(sum(input_tokens), 0) AS tokens_in,
  ifNull(sum(output_tokens), 0) AS tokens_out,
  sum(cost) AS cost_sum,
  count(cost) AS priced,
  avg(response_chars) AS chars,
  sum(uncertain) AS uncertain_n,
  countIf(pii_in_response > 0) AS pii,
  max(injection_score) AS injection`

/** Every latency and ttft of the group, sorted, for exact percentiles. */
const SORTED = `arraySort(groupArray(latency)) AS lat, arraySort(groupArray(ttft)) AS ttfts`
const SUM_COLUMNS = 'tokens_in, tokens_out, cost_sum, priced, chars, uncertain_n, pii, injection'

/** The outer query's columns: the aggregates, with the percentiles read off the sorted arrays (not sent back). */
const OUTER_COLUMNS = `key, n, errors,
  ${percentileSql('lat', 0.5)} AS p50,
  ${percentileSql('lat', 0.95)} AS p95,
  ${percentileSql('lat', 0.99)} AS p99,
  ${percentileSql('ttfts', 0.5)} AS ttft50,
  ${percentileSql('ttfts', 0.95)} AS ttft95,
  ${SUM_COLUMNS}`
/** The same without percentiles (the histogram path fills them in). */
const SUMS_ONLY = `key, n, errors, NULL AS p50, NULL AS p95, NULL AS p99, NULL AS ttft50, NULL AS ttft95, ${SUM_COLUMNS}`

/**
 * The stats query over the records table `table` for a `WHERE` clause (or none) and a grouping. Ordering matches the
 * other backends: time buckets ascending, else count descending then key ascending, byte-wise (ClickHouse compares
 * strings as bytes), NULL first.
 *
 * @example
 * statsSql('`promptledger`.records', "WHERE model = 'a'", 'hour')
 */
export function statsSql(table: string, where: string, groupBy: GroupBy | null, exact = true): string {
  const key = groupBy ? GROUP_KEY_SQL[groupBy] : 'NULL'
  const timeKey = groupBy === 'hour' || groupBy === 'day'
  const aggregates = exact ? `${SUMS}, ${SORTED}` : SUMS
  const inner = `SELECT ${key} AS key, ${aggregates} FROM ${table} ${where} ${groupBy ? 'GROUP BY key' : ''}`
  const order = groupBy ? `ORDER BY ${timeKey ? 'key ASC' : 'n DESC, key ASC NULLS FIRST'}` : ''
  return `SELECT ${exact ? OUTER_COLUMNS : SUMS_ONLY} FROM (${inner}) ${order}`
}

/**
 * A value's log-scale bucket as rollup-core.ts's `bucketOf` computes it (buckets growing by 2 %, 0 for values ≤ 0),
 * in ClickHouse arithmetic. Every operand is Int32: 18.16's `least` and `greatest` refuse mixed integer types.
 */
function bucketSql(x: string): string {
  const raw = `toInt32(ceil(log(${x}) / log(1.02))) + toInt32(350)`
  return `if(${x} > 0, least(toInt32(${BUCKETS - 1}), greatest(toInt32(1), ${raw})), toInt32(0))`
}

/**
 * Per group, how many latencies (metric 0) and ttfts (metric 1) fall in each log-scale bucket: what percentiles within
 * 1 % are read from over a large selection, an aggregation as cheap as a count instead of a sort of every value.
 * `conditions` are the filter's, joined with AND.
 */
export function histogramSql(table: string, conditions: readonly string[], groupBy: GroupBy | null): string {
  const key = groupBy ? GROUP_KEY_SQL[groupBy] : 'NULL'
  const where = (column: string) => `WHERE ${[...conditions, `${column} IS NOT NULL`].join(' AND ')}`
  const part = (metric: number, column: string) =>
    `SELECT ${key} AS key, toUInt8(${metric}) AS metric, ${bucketSql(`assumeNotNull(${column})`)} AS b
     FROM ${table} ${where(column)}`
  return `SELECT key, metric, b, count() AS c FROM (${part(0, 'latency')} UNION ALL ${part(1, 'ttft')})
    GROUP BY key, metric, b`
}

/** A row of `histogramSql`. */
export interface HistogramSqlRow {
  key: string | null
  metric: number | string
  b: number | string
  c: number | string
}

/** Fills the percentiles of sums-only rows (`statsSql(…, false)`) from the histogram rows of the same selection. */
export function withHistogramPercentiles(rows: StatsRow[], hist: readonly HistogramSqlRow[], groupBy: GroupBy | null) {
  const by = new Map<string | null, [Float64Array, Float64Array]>()
  for (const h of hist) {
    const key = statsKey(h.key, groupBy)
    let pair = by.get(key)
    if (!pair) {
      pair = [new Float64Array(BUCKETS), new Float64Array(BUCKETS)]
      by.set(key, pair)
    }
    pair[Number(h.metric)]![Number(h.b)]! += Number(h.c)
  }
  for (const row of rows) {
    const pair = by.get(row.key)
    if (!pair) continue
    const [latency, ttft] = pair
    const [nLatency, nTtft] = [histTotal(latency), histTotal(ttft)]
    row.latencyP50 = histPercentile(latency, nLatency, 50)
    row.latencyP95 = histPercentile(latency, nLatency, 95)
    row.latencyP99 = histPercentile(latency, nLatency, 99)
    row.ttftP50 = histPercentile(ttft, nTtft, 50)
    row.ttftP95 = histPercentile(ttft, nTtft, 95)
  }
  return rows
}

/** A row as ClickHouse's JSON gives it: 64-bit integers arrive quoted. */
export interface StatsSqlRow {
  key: string | null
  n: string | number
  errors: string | number
  p50: number | null
  p95: number | null
  p99: number | null
  ttft50: number | null
  ttft95: number | null
  tokens_in: string | number
  tokens_out: string | number
  cost_sum: number | null
  priced: string | number
  chars: number | null
  uncertain_n: string | number
  pii: string | number
  injection: number | null
}

/** The group's key as every backend gives it: ISO strings for time buckets. */
function statsKey(key: string | null, groupBy: GroupBy | null): string | null {
  if (key === null) return null
  return groupBy === 'hour' || groupBy === 'day' ? new Date(Number(key)).toISOString() : key
}

/**
 * A `StatsRow` from one result row.
 *
 * @example
 * const rows = (await result.json<StatsSqlRow>()).map((r) => toStatsRow(r, 'model'))
 */
export function toStatsRow(r: StatsSqlRow, groupBy: GroupBy | null): StatsRow {
  const count = Number(r.n)
  const errors = Number(r.errors)
  return {
    key: statsKey(r.key, groupBy),
    count,
    errors,
    errorRate: count === 0 ? 0 : errors / count,
    latencyP50: r.p50,
    latencyP95: r.p95,
    latencyP99: r.p99,
    ttftP50: r.ttft50,
    ttftP95: r.ttft95,
    inputTokens: Number(r.tokens_in),
    outputTokens: Number(r.tokens_out),
    costUsd: r.cost_sum,
    pricedCount: Number(r.priced),
    avgResponseChars: r.chars,
    uncertain: Number(r.uncertain_n),
    piiLeaks: Number(r.pii),
    injectionMax: r.injection,
  }
}
