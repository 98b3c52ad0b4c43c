import { type Dispatcher, Pool } from 'undici'
import { PromptLedgerError } from '../../errors.js'
import type { LedgerRecord } from '../../record/schema.js'
import type { Exporter, ExportResult } from '../exporter.js'

export interface HttpExporterOptions {
  /** The collector's base URL, e.g. `http://127.0.0.1:7420`. */
  endpoint: string
  /** Sent as `Authorization: Bearer <apiKey>`; never logged or put in errors. */
  apiKey?: string
  /** Body encoding; NDJSON (default) lets the collector reject a line by index without reparsing. */
  format?: 'ndjson' | 'json'
  /** Per-request timeout (headers and body), default 10 s. */
  timeoutMs?: number
  /** Keep-alive connections to the collector, default 4. */
  connections?: number
  /** Replaces the connection pool (tests, proxies). */
  dispatcher?: Dispatcher
}

/** A failed delivery: the HTTP status (none for a network error) and the collector's Retry-After, if any. */
export class HttpExportError extends PromptLedgerError {
  readonly status: number | null
  readonly retryAfterMs: number | null
  constructor(message: string, options: { status: number | null; retryAfterMs: number | null; cause?: unknown }) {
    super('EXPORT_FAILED', message, { cause: options.cause })
    this.name = 'HttpExportError'
    this.status = options.status
    this.retryAfterMs = options.retryAfterMs
  }
}

/** Retry-After as seconds or an HTTP date, in ms; null when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const text = Array.isArray(value) ? value[0] : value
  if (!text) return null
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Math.round(Number(text) * 1000)
  const at = Date.parse(text)
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}

/**
 * Ships batches to a collector's `POST /v1/records` over a keep-alive undici pool. One attempt per call:
 * wrap it with `withRetry` and `withSpool` for delivery that survives collector outages.
 *
 * @example
 * const exporter = withSpool(withRetry(new HttpExporter({ endpoint: 'http://127.0.0.1:7420' })), { dir: './promptledger-data' })
 */
export class HttpExporter implements Exporter {
  readonly #dispatcher: Dispatcher
  readonly #ownsDispatcher: boolean
  readonly #origin: string
  readonly #path: string
  readonly #headers: Record<string, string>
  readonly #ndjson: boolean
  readonly #timeoutMs: number
  #closed = false

  constructor(options: HttpExporterOptions) {
    let url: URL
    try {
      url = new URL(options.endpoint)
    } catch (cause) {
      throw new PromptLedgerError('CONFIG_INVALID', 'endpoint is not a valid URL', { cause })
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new PromptLedgerError('CONFIG_INVALID', 'endpoint must be an http or https URL')
    }
    this.#ndjson = (options.format ?? 'ndjson') === 'ndjson'
    this.#timeoutMs = options.timeoutMs ?? 10_000
    this.#origin = url.origin
    this.#path = `${url.pathname.replace(/\/+$/, '')}/v1/records`
    this.#headers = { 'content-type': this.#ndjson ? 'application/x-ndjson' : 'application/json' }
    if (options.apiKey) this.#headers['authorization'] = `Bearer ${options.apiKey}`
    this.#ownsDispatcher = options.dispatcher === undefined
    this.#dispatcher = options.dispatcher ?? new Pool(url.origin, { connections: options.connections ?? 4 })
  }

  async export(batch: readonly LedgerRecord[]): Promise<ExportResult> {
    if (this.#closed)
      return { ok: false, error: new PromptLedgerError('CLOSED', 'exporter is shut down'), retryable: false }
    if (batch.length === 0) return { ok: true }
    const body = this.#ndjson ? batch.map((r) => JSON.stringify(r)).join('\n') : JSON.stringify(batch)
    try {
      const res = await this.#dispatcher.request({
        origin: this.#origin,
        path: this.#path,
        method: 'POST',
        headers: this.#headers,
        body,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      })
      const text = await res.body.text()
      if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true }
      const detail = collectorMessage(text)
      return {
        ok: false,
        retryable: retryableStatus(res.statusCode),
        error: new HttpExportError(`collector answered ${res.statusCode}${detail ? `: ${detail}` : ''}`, {
          status: res.statusCode,
          retryAfterMs: parseRetryAfter(res.headers['retry-after']),
        }),
      }
    } catch (cause) {
      return unanswered('collector unreachable', cause)
    }
  }

  async flush(): Promise<void> {
    // Each export resolves only after the collector acknowledged it: nothing is in flight to wait for.
  }

  async shutdown(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#ownsDispatcher) await this.#dispatcher.close()
  }
}

function collectorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } }
    return typeof body.error?.message === 'string' ? body.error.message.slice(0, 300) : ''
  } catch {
    return ''
  }
}

/** Whether an HTTP status says "later": 429 and 5xx, and 408 (the server's own timeout); any other 4xx is final. */
export function retryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500
}

/** The result of a request that got no answer (refused, reset, timed out): retryable, named by its error code. */
export function unanswered(what: string, cause: unknown): ExportResult {
  const code = (cause as { code?: string }).code ?? 'network error'
  return {
    ok: false,
    retryable: true,
    error: new HttpExportError(`${what} (${code})`, { status: null, retryAfterMs: null, cause }),
  }
}
