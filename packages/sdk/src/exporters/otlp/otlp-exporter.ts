import { type Dispatcher, Pool } from 'undici'
import { PromptLedgerError } from '../../errors.js'
import type { LedgerRecord } from '../../record/schema.js'
import type { Exporter, ExportResult } from '../exporter.js'
import { HttpExportError, parseRetryAfter, retryableStatus, unanswered } from '../http/http-exporter.js'
import type { ExportTraceServiceRequest } from './otlp-json.js'
import { partialSuccess, statusMessage } from './otlp-response.js'
import { recordSpan } from './record-span.js'

export interface OtlpExporterOptions {
  /**
   * The OTLP/HTTP base URL, e.g. `http://127.0.0.1:4318`; spans go to `{endpoint}/v1/traces`. A URL that already
   * ends in `/v1/traces` is used as it is.
   */
  endpoint: string
  /** Sent with every request (a backend's API key, a tenant); never logged or put in errors. */
  headers?: Record<string, string>
  /** Per-request timeout (headers and body), default 10 s. */
  timeoutMs?: number
  /**
   * Export prompts and outputs (`gen_ai.input.messages`, `gen_ai.output.messages`); default false. Records are
   * redacted already, but a trace backend is one more copy of what users said. Encrypted records never export
   * content: their content fields hold placeholders.
   */
  content?: boolean
  /** The resource's `service.name`, default `promptledger`. */
  serviceName?: string
  /**
   * Called when the backend accepts a request but rejects some spans (an OTLP partial success). The batch counts
   * as delivered: the specification forbids retrying it.
   */
  onRejected?: (rejectedSpans: number, message: string) => void
  /** Keep-alive connections to the backend, default 2. */
  connections?: number
  /** Replaces the connection pool (tests, proxies). */
  dispatcher?: Dispatcher
}

const SCOPE = '@promptledger/sdk'
const TRACES_PATH = '/v1/traces'

/**
 * Ships records as spans over OTLP/HTTP JSON, one span per record following the OpenTelemetry GenAI conventions.
 * One attempt per call; `withRetry` and `withSpool` wrap it as they wrap the collector's exporter.
 */
export class OtlpExporter implements Exporter {
  readonly #dispatcher: Dispatcher
  readonly #ownsDispatcher: boolean
  readonly #origin: string
  readonly #path: string
  readonly #headers: Record<string, string>
  readonly #secrets: string[]
  readonly #timeoutMs: number
  readonly #content: boolean
  readonly #serviceName: string
  readonly #onRejected: OtlpExporterOptions['onRejected']
  #closed = false

  constructor(options: OtlpExporterOptions) {
    const url = parseEndpoint(options.endpoint)
    const path = url.pathname.replace(/\/+$/, '')
    this.#origin = url.origin
    this.#path = path.endsWith(TRACES_PATH) ? path : `${path}${TRACES_PATH}`
    // The content type is the encoding this exporter writes: a caller's header cannot change it.
    const headers = Object.entries(options.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'content-type')
    this.#headers = { ...Object.fromEntries(headers), 'content-type': 'application/json' }
    this.#secrets = headerSecrets(Object.values(options.headers ?? {}))
    this.#timeoutMs = options.timeoutMs ?? 10_000
    this.#content = options.content ?? false
    this.#serviceName = options.serviceName ?? 'promptledger'
    this.#onRejected = options.onRejected
    this.#ownsDispatcher = options.dispatcher === undefined
    this.#dispatcher = options.dispatcher ?? new Pool(url.origin, { connections: options.connections ?? 2 })
  }

  async export(batch: readonly LedgerRecord[]): Promise<ExportResult> {
    if (this.#closed)
      return { ok: false, error: new PromptLedgerError('CLOSED', 'exporter is shut down'), retryable: false }
    if (batch.length === 0) return { ok: true }
    let body: string
    try {
      body = JSON.stringify(this.#request(batch))
    } catch (cause) {
      // A record that cannot be encoded will not encode on a retry either.
      return {
        ok: false,
        retryable: false,
        error: new PromptLedgerError('INVALID_RECORD', 'a record could not be encoded as OTLP', { cause }),
      }
    }
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
      return this.#outcome(res.statusCode, await res.body.text(), res.headers['retry-after'])
    } catch (cause) {
      return unanswered('OTLP request failed', cause)
    }
  }

  #request(batch: readonly LedgerRecord[]): ExportTraceServiceRequest {
    const options = { content: this.#content }
    return {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: this.#serviceName } }] },
          scopeSpans: [{ scope: { name: SCOPE }, spans: batch.map((r) => recordSpan(r, options)) }],
        },
      ],
    }
  }

  #outcome(status: number, text: string, retryAfter: string | string[] | undefined): ExportResult {
    if (status >= 200 && status < 300) {
      const rejected = partialSuccess(text)
      try {
        if (rejected) this.#onRejected?.(rejected.count, this.#scrub(rejected.message))
      } catch (cause) {
        const error = new PromptLedgerError('EXPORT_FAILED', 'spans delivered, but onRejected threw', { cause })
        return { ok: false, retryable: false, error }
      }
      return { ok: true }
    }
    const retryable = retryableStatus(status)
    const detail = this.#scrub(statusMessage(text))
    return {
      ok: false,
      retryable,
      error: new HttpExportError(`OTLP endpoint answered ${status}${detail ? `: ${detail}` : ''}`, {
        status,
        retryAfterMs: parseRetryAfter(retryAfter),
      }),
    }
  }

  /** A backend may echo a rejected API key in its message: header values never reach an error. */
  #scrub(message: string): string {
    let out = message
    for (const secret of this.#secrets) out = out.replaceAll(secret, '[header]')
    return out
  }

  async flush(): Promise<void> {
    // Each export resolves only after the backend answered: nothing is in flight to wait for.
  }

  async shutdown(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#ownsDispatcher) await this.#dispatcher.close()
  }
}

/**
 * What must not appear in an error: each header value, and its credential alone (`Bearer sk-…` → `sk-…`), since a
 * backend may quote only the token. Very short values are left out: replacing them would garble messages.
 */
function headerSecrets(values: string[]): string[] {
  const secrets = values.flatMap((v) => [v, ...v.split(/\s+/).slice(1)])
  return secrets.filter((v) => v.length >= 4).sort((a, b) => b.length - a.length)
}

function parseEndpoint(endpoint: string): URL {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch (cause) {
    throw new PromptLedgerError('CONFIG_INVALID', 'OTLP endpoint is not a valid URL', { cause })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PromptLedgerError('CONFIG_INVALID', 'OTLP endpoint must be an http or https URL')
  }
  return url
}

/**
 * An exporter that hands records to any OpenTelemetry backend (a Collector, Jaeger, Tempo, Langfuse, …) as GenAI
 * spans over OTLP/HTTP JSON. Pass it to `createLedger({ exporters })`.
 *
 * @example
 * const ledger = createLedger({ exporters: [createOtlpExporter({ endpoint: 'http://127.0.0.1:4318' })] })
 */
export function createOtlpExporter(options: OtlpExporterOptions): OtlpExporter {
  return new OtlpExporter(options)
}
