// Same-origin client of the collector's API. The API key lives in sessionStorage only (gone when the tab closes)
// and is sent as a bearer token; nothing else about it is stored or logged.
import { buildQuery, type Filter, type GroupBy } from '../query.js'
import { normalizeAlerts, normalizeRecord, normalizeRecordPage, normalizeStats } from './normalize.js'
import type { AlertsView, RecordPage, RecordView, StatsRowView } from './types.js'

const KEY_NAME = 'promptledger.apiKey'

/** An API call that did not succeed; `status` 0 means the collector could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export function getApiKey(): string | null {
  try {
    return sessionStorage.getItem(KEY_NAME)
  } catch {
    return null // storage disabled: behave as if no key was saved
  }
}

export function setApiKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY_NAME, key)
  else sessionStorage.removeItem(KEY_NAME)
}

async function getJson(path: string, signal?: AbortSignal): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' }
  const key = getApiKey()
  if (key) headers.authorization = `Bearer ${key}`
  let res: Response
  try {
    res = await fetch(path, { headers, signal, credentials: 'same-origin', cache: 'no-store' })
  } catch (err) {
    if (signal?.aborted) throw err
    throw new ApiError(0, 'network', 'The collector could not be reached.')
  }
  const text = await res.text()
  let body: unknown = null
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    if (res.ok) throw new ApiError(res.status, 'bad_json', `${path} answered with invalid JSON.`)
  }
  if (!res.ok) {
    const e = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error
    const code = typeof e?.code === 'string' ? e.code : `http_${res.status}`
    const message = typeof e?.message === 'string' ? e.message : `${path} answered HTTP ${res.status}.`
    throw new ApiError(res.status, code, message)
  }
  return body
}

/** The collector's read API, normalised for the views. */
export const api = {
  async records(filter: Filter, cursor: string | null, limit: number, signal?: AbortSignal): Promise<RecordPage> {
    const qs = buildQuery(filter, { cursor, limit })
    return normalizeRecordPage(await getJson(`/v1/records?${qs}`, signal))
  },
  async record(id: string, signal?: AbortSignal): Promise<RecordView> {
    const r = normalizeRecord(await getJson(`/v1/records/${encodeURIComponent(id)}`, signal))
    if (!r) throw new ApiError(200, 'bad_record', 'The collector answered without a record.')
    return r
  },
  async stats(filter: Filter, groupBy: GroupBy, signal?: AbortSignal): Promise<StatsRowView[]> {
    return normalizeStats(await getJson(`/v1/stats?${buildQuery(filter, { group_by: groupBy })}`, signal))
  },
  async alerts(signal?: AbortSignal): Promise<AlertsView> {
    return normalizeAlerts(await getJson('/v1/alerts', signal))
  },
  async health(signal?: AbortSignal): Promise<unknown> {
    return getJson('/healthz', signal)
  },
}
