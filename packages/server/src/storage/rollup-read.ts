import { BUCKETS, bucketValue, emptyRollup, mergeRow, type Rollup } from './rollup-core.js'
import type { GroupBy, StatsRow } from './storage.js'

/** Reading side of the rollups (rollup-core.ts): rollup rows merged into stats rows, on every backend. */
const dayKey = (ms: number) =>
  `${new Date(Math.floor(ms / 86_400_000) * 86_400_000).toISOString().slice(0, 10)}T00:00:00.000Z`

/** The group key of a rollup row, as the exact path's SQL would give it. */
function groupKey(row: Record<string, unknown>, groupBy: GroupBy | null): string | null {
  if (groupBy === null) return null
  if (groupBy === 'hour') return new Date(row['hour'] as number).toISOString()
  if (groupBy === 'day') return dayKey(row['hour'] as number)
  if (groupBy === 'user_id') throw new Error('user_id is not a rollup dimension')
  const v = row[groupBy]
  return v === null || v === undefined ? null : String(v)
}

/**
 * Percentile over a histogram the way SQLite's percentile() computes it over values: the value at rank
 * (n - 1) · p / 100, interpolated between its two neighbours; each neighbour is its bucket's midpoint
 * (within 1 %), so the result is within 1 % of the exact one.
 */
export function histPercentile(h: Float64Array, total: number, p: number): number | null {
  if (total === 0) return null
  const rank = ((total - 1) * p) / 100
  const lo = Math.floor(rank)
  let loValue: number | null = null
  let seen = 0
  for (let b = 0; b < BUCKETS; b++) {
    const n = h[b]!
    if (n === 0) continue
    seen += n
    if (loValue === null && seen > lo) loValue = bucketValue(b)
    if (seen > lo + 1 || (seen > lo && rank === lo)) return loValue! + (bucketValue(b) - loValue!) * (rank - lo)
  }
  return loValue
}

export function histTotal(h: Float64Array): number {
  let n = 0
  for (let b = 0; b < BUCKETS; b++) n += h[b]!
  return n
}

/** Stats rows from rollup rows, in the exact path's order (time keys ascending, else count desc, key asc). */
export function rollupStats(rows: Record<string, unknown>[], groupBy: GroupBy | null): StatsRow[] {
  const groups = new Map<string | null, { r: Rollup; errors: number }>()
  for (const row of rows) {
    const key = groupKey(row, groupBy)
    let g = groups.get(key)
    if (!g) {
      g = { r: emptyRollup(0, 0, null, null, null, ''), errors: 0 }
      groups.set(key, g)
    }
    mergeRow(g.r, row)
    if (row['status'] === 'error') g.errors += row['count'] as number
  }
  const out: StatsRow[] = []
  for (const [key, { r, errors }] of groups) {
    if (r.count === 0) continue
    const [latency, latencyN] = [r.latency, histTotal(r.latency)]
    const [ttft, ttftN] = [r.ttft, histTotal(r.ttft)]
    out.push({
      key,
      count: r.count,
      errors,
      errorRate: errors / r.count,
      latencyP50: histPercentile(latency, latencyN, 50),
      latencyP95: histPercentile(latency, latencyN, 95),
      latencyP99: histPercentile(latency, latencyN, 99),
      ttftP50: histPercentile(ttft, ttftN, 50),
      ttftP95: histPercentile(ttft, ttftN, 95),
      inputTokens: r.inputTokens,
      outputTokens: r.outputTokens,
      costUsd: r.costN === 0 ? null : r.cost,
      pricedCount: r.costN,
      avgResponseChars: r.rcN === 0 ? null : r.rcSum / r.rcN,
      uncertain: r.uncertain,
      piiLeaks: r.piiLeaks,
      injectionMax: r.injectionMax,
    })
  }
  const timeKey = groupBy === 'hour' || groupBy === 'day'
  const cmpKey = (a: string | null, b: string | null) =>
    a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1
  out.sort((a, b) => (timeKey ? cmpKey(a.key, b.key) : b.count - a.count || cmpKey(a.key, b.key)))
  return out
}

/** Total records in rollup rows (decides between the exact scan and the rollup answer). */
export function rollupCount(rows: Record<string, unknown>[]): number {
  let n = 0
  for (const row of rows) n += row['count'] as number
  return n
}
