// Pure helpers between the URL hash, the filter form and the collector's query strings.

/** The filters `GET /v1/records` and `GET /v1/stats` accept, by their wire (snake_case) names. */
export const FILTER_KEYS = [
  'from',
  'to',
  'model',
  'provider',
  'user_id',
  'session_id',
  'app',
  'status',
  'tag',
  'q',
] as const
export type FilterKey = (typeof FILTER_KEYS)[number]
export type Filter = Partial<Record<FilterKey, string>>

export const GROUP_BYS = ['model', 'provider', 'user_id', 'app', 'status', 'hour', 'day'] as const
export type GroupBy = (typeof GROUP_BYS)[number]

/** The dashboard's views, addressed by the URL hash so that every view can be bookmarked and shared. */
export type Route =
  | { view: 'records'; filter: Filter }
  | { view: 'record'; id: string }
  | { view: 'stats'; filter: Filter; groupBy: GroupBy; range: string }
  | { view: 'alerts' }

/**
 * Builds a query string (without `?`) from the non-empty values, trimmed, in a stable key order.
 *
 * @example buildQuery({ model: 'gpt-4o', q: '' }, { limit: 50 }) // 'model=gpt-4o&limit=50'
 */
export function buildQuery(filter: Filter, extra: Record<string, string | number | undefined | null> = {}): string {
  const params = new URLSearchParams()
  for (const key of FILTER_KEYS) {
    const value = filter[key]?.trim()
    if (value) params.set(key, value)
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  }
  return params.toString()
}

/** Reads the known filter keys from URL parameters; unknown keys are ignored. */
export function filterFromParams(params: URLSearchParams): Filter {
  const filter: Filter = {}
  for (const key of FILTER_KEYS) {
    const value = params.get(key)?.trim()
    if (value) filter[key] = value
  }
  return filter
}

/** Stats time ranges offered in the UI, in milliseconds. */
export const RANGES: Record<string, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
}

/**
 * Parses `location.hash` into a route; anything unknown lands on the records list.
 *
 * @example parseRoute('#/records/0190…') // { view: 'record', id: '0190…' }
 */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '')
  const qIndex = raw.indexOf('?')
  const path = qIndex === -1 ? raw : raw.slice(0, qIndex)
  const params = new URLSearchParams(qIndex === -1 ? '' : raw.slice(qIndex + 1))
  const [head, id] = path.split('/')
  if (head === 'records' && id) return { view: 'record', id: safeDecode(id) }
  if (head === 'stats') {
    const g = params.get('group_by')
    const groupBy = (GROUP_BYS as readonly string[]).includes(g ?? '') ? (g as GroupBy) : 'model'
    const r = params.get('range') ?? '24h'
    return { view: 'stats', filter: filterFromParams(params), groupBy, range: r in RANGES || r === 'all' ? r : '24h' }
  }
  if (head === 'alerts') return { view: 'alerts' }
  return { view: 'records', filter: filterFromParams(params) }
}

/** The hash for a route; `parseRoute(routeToHash(r))` gives `r` back. */
export function routeToHash(route: Route): string {
  switch (route.view) {
    case 'record':
      return `#/records/${encodeURIComponent(route.id)}`
    case 'stats': {
      const qs = buildQuery(route.filter, { group_by: route.groupBy, range: route.range })
      return `#/stats?${qs}`
    }
    case 'alerts':
      return '#/alerts'
    default: {
      const qs = buildQuery(route.filter)
      return qs ? `#/records?${qs}` : '#/records'
    }
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}
