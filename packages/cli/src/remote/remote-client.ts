import type { LedgerRecord } from '@promptledger/sdk'
import type { StatsRowJson } from '@promptledger/server'

/** Where a command talks to: the collector's base URL and an optional API key. */
export interface RemoteOptions {
  server: string
  apiKey?: string
}

/** A collector answered with an error (its `{ error: { code, message } }`), or could not be reached. */
export class RemoteError extends Error {
  readonly status: number | null
  readonly exitCode = 1
  constructor(message: string, status: number | null, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RemoteError'
    this.status = status
  }
}

export type RemoteFilter = Partial<
  Record<'from' | 'to' | 'model' | 'provider' | 'user_id' | 'session_id' | 'status' | 'tag' | 'app' | 'q', string>
>

function url(remote: RemoteOptions, path: string, params: Record<string, string | number | undefined> = {}): URL {
  let base: URL
  try {
    base = new URL(remote.server)
  } catch {
    throw new RemoteError(`--server is not a URL: ${remote.server}`, null)
  }
  const out = new URL(`${base.pathname.replace(/\/+$/, '')}${path}`, base)
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') out.searchParams.set(k, String(v))
  return out
}

function headers(remote: RemoteOptions, extra: Record<string, string> = {}): Record<string, string> {
  return remote.apiKey ? { ...extra, authorization: `Bearer ${remote.apiKey}` } : extra
}

async function call<T>(remote: RemoteOptions, target: URL, init: RequestInit = {}): Promise<T> {
  let res: Response
  try {
    res = await fetch(target, { ...init, headers: headers(remote, init.headers as Record<string, string>) })
  } catch (cause) {
    throw new RemoteError(`cannot reach the collector at ${target.origin}`, null, { cause })
  }
  const text = await res.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error
    throw new RemoteError(`collector answered ${res.status}: ${error?.message ?? res.statusText}`, res.status)
  }
  return body as T
}

export interface RecordsPage {
  records: LedgerRecord[]
  next_cursor: string | null
}

/** `GET /v1/records`: one page, newest first. */
export function fetchRecords(
  remote: RemoteOptions,
  filter: RemoteFilter,
  page: { limit?: number; cursor?: string } = {},
): Promise<RecordsPage> {
  return call(remote, url(remote, '/v1/records', { ...filter, limit: page.limit, cursor: page.cursor }))
}

/** A row of `GET /v1/stats` (snake_case, as the API writes it). */
export type { StatsRowJson }

/** `GET /v1/stats`. */
export function fetchStats(
  remote: RemoteOptions,
  filter: RemoteFilter,
  groupBy?: string,
): Promise<{ group_by: string | null; rows: StatsRowJson[] }> {
  return call(remote, url(remote, '/v1/stats', { ...filter, group_by: groupBy }))
}

export interface IngestAnswer {
  accepted: number
  duplicates: number
}

/** `POST /v1/records` as NDJSON. */
export function postRecords(remote: RemoteOptions, records: readonly unknown[]): Promise<IngestAnswer> {
  return call(remote, url(remote, '/v1/records'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: records.map((r) => JSON.stringify(r)).join('\n'),
  })
}

export interface VerifyAnswer {
  ok: boolean
  streams: Array<{
    stream: string
    ok: boolean
    count: number
    head_seq: number
    head_hash: string
    truncated: boolean
    problems: Array<{ code: string; seq: number; id: string; message: string }>
  }>
}

/** `GET /v1/verify`: the collector checks its stored chains. */
export function fetchVerify(remote: RemoteOptions, stream?: string): Promise<VerifyAnswer> {
  return call(remote, url(remote, '/v1/verify', { stream }))
}

/**
 * `GET /v1/records/stream` (server-sent events): calls `onRecord` for each record as the collector stores
 * it, until `signal` aborts or the server ends the stream.
 */
export async function streamRecords(
  remote: RemoteOptions,
  filter: RemoteFilter,
  onRecord: (record: LedgerRecord) => void,
  signal?: AbortSignal,
  onOpen?: () => void,
): Promise<void> {
  const target = url(remote, '/v1/records/stream', filter)
  let res: Response
  try {
    res = await fetch(target, { headers: headers(remote, { accept: 'text/event-stream' }), signal: signal ?? null })
  } catch (cause) {
    if (signal?.aborted) return
    throw new RemoteError(`cannot reach the collector at ${target.origin}`, null, { cause })
  }
  if (!res.ok || !res.body) throw new RemoteError(`collector answered ${res.status} to the live stream`, res.status)
  onOpen?.()
  const decoder = new TextDecoder()
  let buffer = ''
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true })
      let end = buffer.indexOf('\n\n')
      while (end !== -1) {
        const event = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const data = event
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .map((line) => line.slice(6))
          .join('\n')
        if (data) onRecord(JSON.parse(data) as LedgerRecord)
        end = buffer.indexOf('\n\n')
      }
    }
  } catch (cause) {
    if (!signal?.aborted) throw new RemoteError('the live stream broke', null, { cause })
  }
}
