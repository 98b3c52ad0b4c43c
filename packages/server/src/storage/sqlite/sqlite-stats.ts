import type { GroupBy, StatsRow } from '../storage.js'

/** The SQL expression of each grouping; time buckets are ISO strings so every backend agrees on keys. */
export const groupKeySql: Record<GroupBy, string> = {
  model: 'r.model',
  provider: 'r.provider',
  user_id: 'r.user_id',
  app: 'r.app',
  status: 'r.status',
  hour: "strftime('%Y-%m-%dT%H:00:00.000Z', r.ts / 1000, 'unixepoch')",
  day: "strftime('%Y-%m-%dT00:00:00.000Z', r.ts / 1000, 'unixepoch')",
}

/**
 * One aggregate pass. SQLite's built-in `percentile()` (C, collects the group's values and sorts once)
 * keeps percentiles exact without shipping a million values into JavaScript.
 */
export const statsColumnsSql = `count(*) AS count,
  total(r.status = 'error') AS errors,
  percentile(r.latency, 50) AS latencyP50,
  percentile(r.latency, 95) AS latencyP95,
  percentile(r.latency, 99) AS latencyP99,
  percentile(r.ttft, 50) AS ttftP50,
  percentile(r.ttft, 95) AS ttftP95,
  total(r.input_tokens) AS inputTokens,
  total(r.output_tokens) AS outputTokens,
  sum(r.cost) AS costUsd,
  count(r.cost) AS pricedCount,
  avg(r.response_chars) AS avgResponseChars,
  total(r.uncertain) AS uncertain,
  total(r.pii_in_response > 0) AS piiLeaks,
  max(r.injection_score) AS injectionMax`

export function toStatsRow(raw: Record<string, unknown>): StatsRow {
  const count = raw['count'] as number
  const errors = raw['errors'] as number
  const num = (k: string) => (raw[k] === null || raw[k] === undefined ? null : (raw[k] as number))
  return {
    key: raw['key'] === null || raw['key'] === undefined ? null : String(raw['key']),
    count,
    errors,
    errorRate: count === 0 ? 0 : errors / count,
    latencyP50: num('latencyP50'),
    latencyP95: num('latencyP95'),
    latencyP99: num('latencyP99'),
    ttftP50: num('ttftP50'),
    ttftP95: num('ttftP95'),
    inputTokens: raw['inputTokens'] as number,
    outputTokens: raw['outputTokens'] as number,
    costUsd: num('costUsd'),
    pricedCount: raw['pricedCount'] as number,
    avgResponseChars: num('avgResponseChars'),
    uncertain: raw['uncertain'] as number,
    piiLeaks: raw['piiLeaks'] as number,
    injectionMax: num('injectionMax'),
  }
}
