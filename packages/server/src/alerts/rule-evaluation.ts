import type { RecordFilter, StatsRow, Storage } from '../storage/storage.js'
import type { RuleName } from './alerts-config.js'
import { type ResolvedRule, SCOPE_GROUP_BY } from './rules.js'
import type { WindowStats, WindowTotals } from './window-stats.js'

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
/** Records stamped up to this far ahead of the collector's clock still count (clients' clocks drift). */
const CLOCK_SKEW_MS = 300_000

const SCOPE_LABEL = { global: '', model: 'model', app: 'app', user: 'user', provider: 'provider' } as const

type Additive = Exclude<RuleName, 'response_length' | 'latency_p95'>
const VALUE: Record<Additive, (t: WindowTotals) => number | null> = {
  error_rate: (t) => (t.count === 0 ? 0 : t.errors / t.count),
  error_rate_daily: (t) => (t.count === 0 ? 0 : t.errors / t.count),
  pii_leak: (t) => t.piiLeaks,
  uncertainty: (t) => t.uncertain,
  injection: (t) => t.injectionMax,
  cost_daily: (t) => t.costUsd,
}

export function scopeKey(scope: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(scope).sort(([a], [b]) => (a < b ? -1 : 1))))
}

function scopeOf(rule: ResolvedRule, key: string | null): Record<string, string> {
  const { app, model, userId, provider, tag } = rule.where
  const scope: Record<string, string> = {}
  if (app !== undefined) scope['app'] = app
  if (model !== undefined) scope['model'] = model
  if (userId !== undefined) scope['user'] = userId
  if (provider !== undefined) scope['provider'] = provider
  if (tag !== undefined) scope['tag'] = tag
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

function filterOf(rule: ResolvedRule): RecordFilter {
  const { userId, ...rest } = rule.where
  return { ...rest, ...(userId !== undefined ? { userId } : {}) }
}

function observation(rule: ResolvedRule, key: string | null, value: number | null, count: number): Observation {
  const scope = scopeOf(rule, key)
  const breached = count >= rule.minCount && value !== null && value > (rule.threshold ?? Number.POSITIVE_INFINITY)
  const relation = breached ? '>' : '≤'
  const threshold = formatValue(rule, rule.threshold)
  return {
    scope,
    scopeKey: scopeKey(scope),
    value,
    breached,
    message: `${rule.name}: ${formatValue(rule, value)} ${relation} ${threshold} over ${windowText(rule.windowSeconds)} (${count} records)${describeScope(scope)}`,
  }
}

/**
 * Measures one rule against the store, per group of the rule's scope. Sums and counts come from
 * `windows` (cached 5-minute slices); p95 latency, which does not add up across slices, is one direct
 * `stats` call over its (short) window. Reads the store only, so every collector over it agrees.
 */
export async function observe(
  rule: ResolvedRule,
  storage: Storage,
  windows: WindowStats,
  now: Date,
): Promise<Observation[]> {
  const groupBy = SCOPE_GROUP_BY[rule.scope]
  const where = filterOf(rule)
  const at = now.getTime()
  const from = at - rule.windowSeconds * 1000
  if (rule.name === 'latency_p95') {
    const rows: StatsRow[] = await storage.stats({ ...where, from: new Date(from).toISOString() }, groupBy)
    return rows.map((row) => observation(rule, row.key, row.latencyP95, row.count))
  }
  const totals = await windows.totals(where, groupBy, from, at + CLOCK_SKEW_MS, at)
  if (rule.name === 'response_length') return observeLength(rule, windows, totals, where, at)
  const extract = VALUE[rule.name]
  return [...totals.values()].filter((t) => t.count > 0).map((t) => observation(rule, t.key, extract(t), t.count))
}

async function observeLength(
  rule: ResolvedRule,
  windows: WindowStats,
  current: Map<string | null, WindowTotals>,
  where: RecordFilter,
  at: number,
): Promise<Observation[]> {
  const groupBy = SCOPE_GROUP_BY[rule.scope]
  const window = rule.windowSeconds * 1000
  // The same hour of day on each trailing day: past windows, so after the first cycle they come from cache.
  const baseline = new Map<string | null, { chars: number; count: number }>()
  for (let day = 1; day <= rule.baselineDays; day++) {
    const end = at - day * 86_400_000
    for (const t of (await windows.totals(where, groupBy, end - window, end, at)).values()) {
      const b = baseline.get(t.key) ?? { chars: 0, count: 0 }
      b.chars += t.chars
      b.count += t.charsCount
      baseline.set(t.key, b)
    }
  }
  const threshold = rule.threshold ?? Number.POSITIVE_INFINITY
  const span = windowText(rule.windowSeconds)
  const out: Observation[] = []
  for (const t of current.values()) {
    const base = baseline.get(t.key)
    if (!base || base.count < rule.minCount || t.charsCount === 0) continue
    const baseAvg = base.chars / base.count
    if (baseAvg <= 0) continue
    const avg = t.chars / t.charsCount
    const value = (avg - baseAvg) / baseAvg
    const breached = t.charsCount >= rule.minCount && Math.abs(value) > threshold
    const scope = scopeOf(rule, t.key)
    const sign = value >= 0 ? '+' : '−'
    out.push({
      scope,
      scopeKey: scopeKey(scope),
      value,
      breached,
      message: `${rule.name}: average ${Math.round(avg)} chars over ${span} is ${sign}${formatValue(rule, Math.abs(value))} from the baseline ${Math.round(baseAvg)} (${breached ? '>' : '≤'} ±${formatValue(rule, rule.threshold)})${describeScope(scope)}`,
    })
  }
  return out
}
