// Normalises collector responses into the shapes the views render. Tolerant by design: the dashboard may meet an
// older or newer collector, so field names are read in both snake_case and camelCase and bad values become null.
import type { AlertsView, AlertView, RecordPage, RecordView, StatsRowView } from './types.js'

type Obj = Record<string, unknown>

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null
}

function str(v: unknown): string | null {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return null
}

/** The first present value among several spellings of one field. */
function pick(o: Obj, ...names: string[]): unknown {
  for (const n of names) if (o[n] !== undefined) return o[n]
  return undefined
}

/** `{ records, next_cursor }` (or `nextCursor`) → a page; records without an id are dropped. */
export function normalizeRecordPage(body: unknown): RecordPage {
  if (!isObj(body)) return { records: [], nextCursor: null }
  const list = Array.isArray(body.records) ? body.records : []
  const records = list.filter((r): r is RecordView => isObj(r) && typeof r.id === 'string')
  return { records, nextCursor: str(pick(body, 'next_cursor', 'nextCursor')) || null }
}

/** `GET /v1/records/:id` may answer the record itself or `{ record }`. */
export function normalizeRecord(body: unknown): RecordView | null {
  const r = isObj(body) && isObj(body.record) ? body.record : body
  return isObj(r) && typeof r.id === 'string' ? (r as unknown as RecordView) : null
}

function toStatsRow(o: Obj): StatsRowView {
  const count = num(o.count) ?? 0
  const errors = num(pick(o, 'errors', 'error_count')) ?? 0
  return {
    key: str(pick(o, 'key', 'group')),
    count,
    errors,
    errorRate: num(pick(o, 'errorRate', 'error_rate')) ?? (count ? errors / count : 0),
    latencyP50: num(pick(o, 'latencyP50', 'latency_p50', 'p50_latency_ms')),
    latencyP95: num(pick(o, 'latencyP95', 'latency_p95', 'p95_latency_ms')),
    latencyP99: num(pick(o, 'latencyP99', 'latency_p99', 'p99_latency_ms')),
    ttftP50: num(pick(o, 'ttftP50', 'ttft_p50')),
    ttftP95: num(pick(o, 'ttftP95', 'ttft_p95')),
    inputTokens: num(pick(o, 'inputTokens', 'input_tokens')) ?? 0,
    outputTokens: num(pick(o, 'outputTokens', 'output_tokens')) ?? 0,
    costUsd: num(pick(o, 'costUsd', 'cost_usd')),
    // A server that does not say how many records had a price summed them all.
    pricedCount: num(pick(o, 'pricedCount', 'priced_count')) ?? count,
  }
}

/** Stats rows from `{ rows }`, `{ groups }`, `{ stats }` or a bare array. */
export function normalizeStats(body: unknown): StatsRowView[] {
  const list = Array.isArray(body)
    ? body
    : isObj(body)
      ? (pick(body, 'rows', 'groups', 'stats', 'data') as unknown)
      : undefined
  return Array.isArray(list) ? list.filter(isObj).map(toStatsRow) : []
}

function scopeText(v: unknown): string | null {
  if (v == null) return null
  if (isObj(v)) {
    const parts = Object.entries(v)
      .filter(([, x]) => x != null && x !== '')
      .map(([k, x]) => `${k}=${str(x) ?? JSON.stringify(x)}`)
    return parts.length ? parts.join(', ') : null
  }
  return str(v)
}

function toAlert(o: Obj, fallback: 'open' | 'resolved'): AlertView {
  const resolvedAt = str(pick(o, 'resolved_at', 'resolvedAt'))
  const rawState = str(pick(o, 'state', 'status'))
  const state =
    rawState === 'resolved' || rawState === 'closed'
      ? 'resolved'
      : rawState
        ? 'open'
        : resolvedAt
          ? 'resolved'
          : fallback
  return {
    id: str(o.id),
    rule: str(pick(o, 'rule', 'rule_id', 'ruleId', 'name')) ?? 'unknown rule',
    scope: scopeText(pick(o, 'scope', 'scope_key', 'scopeKey')),
    state,
    value: num(pick(o, 'value', 'observed')),
    threshold: num(o.threshold),
    openedAt: str(pick(o, 'opened_at', 'openedAt', 'fired_at', 'firedAt', 'started_at', 'startedAt', 'ts')),
    resolvedAt,
    message: str(pick(o, 'message', 'summary', 'description')),
  }
}

/** `{ open, history }`, `{ alerts }` or a bare array → open alerts and resolved history. */
export function normalizeAlerts(body: unknown): AlertsView {
  if (isObj(body) && (Array.isArray(body.open) || Array.isArray(body.history))) {
    const open = Array.isArray(body.open) ? body.open.filter(isObj).map((a) => toAlert(a, 'open')) : []
    const history = Array.isArray(body.history) ? body.history.filter(isObj).map((a) => toAlert(a, 'resolved')) : []
    return { open, history }
  }
  const list = Array.isArray(body) ? body : isObj(body) && Array.isArray(body.alerts) ? body.alerts : []
  const all = list.filter(isObj).map((a) => toAlert(a, 'open'))
  return { open: all.filter((a) => a.state === 'open'), history: all.filter((a) => a.state === 'resolved') }
}
