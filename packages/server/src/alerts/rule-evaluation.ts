import type { RecordFilter, StatsRow, Storage } from '../storage/storage.js'
import type { RuleName } from './alerts-config.js'
import { type ResolvedRule, SCOPE_GROUP_BY } from './rules.js'

/** What one rule measured for one scope in one cycle. */
export interface Observation {
  scope: Record<string, string>
  /** Stable identity of the scope (sorted JSON), the key of "one open alert per rule and scope". */
  scopeKey: string
  value: number | null
  breached: boolean
  message: string
}

/** The name a record without the grouped field (no app, no user) is reported under. */
export const NO_VALUE = '(none)'

const SCOPE_LABEL = { global: '', model: 'model', app: 'app', user: 'user', provider: 'provider' } as const

type Extract = (row: StatsRow) => number | null
const VALUE: Record<Exclude<RuleName, 'response_length'>, Extract> = {
  error_rate: (r) => r.errorRate,
  error_rate_daily: (r) => r.errorRate,
  pii_leak: (r) => r.piiLeaks,
  latency_p95: (r) => r.latencyP95,
  uncertainty: (r) => r.uncertain,
  injection: (r) => r.injectionMax,
  cost_daily: (r) => r.costUsd,
}

export function scopeKey(scope: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(scope).sort(([a], [b]) => (a < b ? -1 : 1))))
}

function baseScope(rule: ResolvedRule): Record<string, string> {
  const { app, model, userId, provider, tag } = rule.where
  const scope: Record<string, string> = {}
  if (app !== undefined) scope['app'] = app
  if (model !== undefined) scope['model'] = model
  if (userId !== undefined) scope['user'] = userId
  if (provider !== undefined) scope['provider'] = provider
  if (tag !== undefined) scope['tag'] = tag
  return scope
}

function scopeOf(rule: ResolvedRule, key: string | null): Record<string, string> {
  const scope = baseScope(rule)
  const label = SCOPE_LABEL[rule.scope]
  if (label) scope[label] = key ?? NO_VALUE
  return scope
}

function describeScope(scope: Record<string, string>): string {
  const parts = Object.entries(scope).map(([k, v]) => `${k}=${v}`)
  return parts.length ? ` for ${parts.join(', ')}` : ''
}

function windowText(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} d`
  if (seconds % 3600 === 0) return `${seconds / 3600} h`
  if (seconds % 60 === 0) return `${seconds / 60} min`
  return `${seconds} s`
}

function formatValue(rule: ResolvedRule, value: number | null): string {
  if (value === null) return 'n/a'
  switch (rule.unit) {
    case 'fraction':
      return `${(value * 100).toFixed(2).replace(/\.?0+$/, '')} %`
    case 'ms':
      return `${Math.round(value)} ms`
    case 'usd':
      return `$${value.toFixed(2)}`
    case 'score':
      return value.toFixed(3)
    default:
      return String(value)
  }
}

/**
 * Measures one rule against the store: one `stats` call grouped by the rule's scope (plus one per
 * baseline day for `response_length`). Reads the store only, so every collector over it agrees.
 */
export async function observe(rule: ResolvedRule, storage: Storage, now: Date): Promise<Observation[]> {
  const groupBy = SCOPE_GROUP_BY[rule.scope]
  const { userId, ...rest } = rule.where
  const where: RecordFilter = { ...rest, ...(userId !== undefined ? { userId } : {}) }
  const at = now.getTime()
  const window = rule.windowSeconds * 1000
  // Open-ended `to`: a record stamped slightly ahead of this collector's clock still counts.
  const rows = await storage.stats({ ...where, from: new Date(at - window).toISOString() }, groupBy)
  const threshold = rule.threshold ?? Number.POSITIVE_INFINITY
  const span = windowText(rule.windowSeconds)
  if (rule.name === 'response_length') return observeLength(rule, storage, rows, where, at, span)
  const extract = VALUE[rule.name]
  return rows.map((row) => {
    const scope = scopeOf(rule, row.key)
    const value = extract(row)
    const breached = row.count >= rule.minCount && value !== null && value > threshold
    const relation = breached ? '>' : '≤'
    return {
      scope,
      scopeKey: scopeKey(scope),
      value,
      breached,
      message: `${rule.name}: ${formatValue(rule, value)} ${relation} ${formatValue(rule, rule.threshold)} over ${span} (${row.count} records)${describeScope(scope)}`,
    }
  })
}

async function observeLength(
  rule: ResolvedRule,
  storage: Storage,
  rows: StatsRow[],
  where: RecordFilter,
  at: number,
  span: string,
): Promise<Observation[]> {
  const groupBy = SCOPE_GROUP_BY[rule.scope]
  const window = rule.windowSeconds * 1000
  // The same hour of day on each of the trailing days: short indexed range scans, not a 7-day sweep.
  const days = await Promise.all(
    Array.from({ length: rule.baselineDays }, (_, i) => {
      const end = at - (i + 1) * 86_400_000
      return storage.stats(
        { ...where, from: new Date(end - window).toISOString(), to: new Date(end).toISOString() },
        groupBy,
      )
    }),
  )
  const baseline = new Map<string | null, { chars: number; count: number }>()
  for (const day of days) {
    for (const row of day) {
      if (row.avgResponseChars === null) continue
      const b = baseline.get(row.key) ?? { chars: 0, count: 0 }
      b.chars += row.avgResponseChars * row.count
      b.count += row.count
      baseline.set(row.key, b)
    }
  }
  const threshold = rule.threshold ?? Number.POSITIVE_INFINITY
  const out: Observation[] = []
  for (const row of rows) {
    const base = baseline.get(row.key)
    if (!base || base.count < rule.minCount || row.avgResponseChars === null) continue
    const baseAvg = base.chars / base.count
    if (baseAvg <= 0) continue
    const value = (row.avgResponseChars - baseAvg) / baseAvg
    const breached = row.count >= rule.minCount && Math.abs(value) > threshold
    const scope = scopeOf(rule, row.key)
    const sign = value >= 0 ? '+' : '−'
    out.push({
      scope,
      scopeKey: scopeKey(scope),
      value,
      breached,
      message: `${rule.name}: average ${Math.round(row.avgResponseChars)} chars over ${span} is ${sign}${formatValue(rule, Math.abs(value))} from the baseline ${Math.round(baseAvg)} (${breached ? '>' : '≤'} ±${formatValue(rule, rule.threshold)})${describeScope(scope)}`,
    })
  }
  return out
}
