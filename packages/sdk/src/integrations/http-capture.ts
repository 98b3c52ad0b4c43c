import type { LogInput } from '../record/log-input.js'
import type { Message, Operation } from '../record/schema.js'
import { type CaptureOptions, currentContext, resolveContext } from './capture-context.js'
import { type LedgerLike, reportCaptureError, safeLog } from './ledger-like.js'

/** Options of the HTTP middleware (Express, Fastify, Hono, node:http). */
export interface HttpCaptureOptions extends CaptureOptions {
  /** Picks the prompt out of the parsed request body: a string, a list of chat messages, or any JSON value. */
  prompt?: (requestBody: unknown) => unknown
  /** Picks the response out of the parsed response body (for a stream: the whole captured text). */
  response?: (responseBody: unknown) => unknown
  /** Which requests to record; default all. */
  filter?: (info: { method: string; path: string }) => boolean
  /** Bytes of each body kept for the record; the rest is counted, not kept. Default 64 KiB. */
  maxBodyBytes?: number
  /** The record's `provider` and `operation`; default null and `custom`. */
  provider?: string
  operation?: Operation
}

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024

/**
 * Keeps the first `max` bytes of a body as it passes, chunk by chunk, and counts the rest. Never delays a chunk: it
 * copies at most `max` bytes in total, so a long stream costs a counter increment per chunk after the cap.
 */
export class BodyTap {
  private readonly parts: Buffer[] = []
  private kept = 0
  bytes = 0
  chunks = 0
  firstChunkAt: number | null = null

  constructor(private readonly max: number) {}

  add(chunk: unknown, encoding?: BufferEncoding): void {
    if (chunk === undefined || chunk === null) return
    const buf =
      typeof chunk === 'string' ? Buffer.from(chunk, encoding ?? 'utf8') : chunk instanceof Uint8Array ? chunk : null
    if (!buf || buf.length === 0) return
    if (this.firstChunkAt === null) this.firstChunkAt = performance.now()
    this.chunks++
    this.bytes += buf.length
    const room = this.max - this.kept
    if (room <= 0) return
    // A copy: the app may reuse its buffer once write() returns.
    const part = Buffer.from(buf.subarray(0, room))
    this.parts.push(part)
    this.kept += part.length
  }

  get truncated(): boolean {
    return this.bytes > this.kept
  }

  text(): string {
    return Buffer.concat(this.parts).toString('utf8')
  }
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text.length === 0) return undefined
  // node's writeHead(status, headers) leaves getHeader() empty, so an unknown type is sniffed by the first character.
  const first = text.charCodeAt(0)
  if (contentType?.includes('json') || (!contentType && (first === 0x7b || first === 0x5b))) {
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
  return text
}

function isMessages(value: unknown): value is Message[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((m) => m && typeof m === 'object' && typeof m.role === 'string')
  )
}

/** Everything one HTTP exchange contributes to its record. */
export interface HttpExchange {
  method: string
  route: string
  status: number
  startTime: number
  t0: number
  /** The parsed request body (a framework parsed it) or the tapped raw body. */
  requestBody: unknown
  requestContentType?: string
  response: BodyTap
  responseContentType?: string
  aborted: boolean
}

/** Starts the clock and resolves identity for one request (at its start, in its async context). */
export function beginExchange(options: HttpCaptureOptions) {
  return { t0: performance.now(), startTime: Date.now(), context: resolveContext(options, currentContext()) }
}

/** Builds and logs the record of one HTTP exchange; never throws. */
export function logExchange(
  ledger: LedgerLike,
  options: HttpCaptureOptions,
  ex: HttpExchange,
  begun: ReturnType<typeof beginExchange>,
) {
  try {
    const reqValue =
      ex.requestBody instanceof BodyTap ? parseBody(ex.requestBody.text(), ex.requestContentType) : ex.requestBody
    const prompt = options.prompt && reqValue !== undefined ? options.prompt(reqValue) : reqValue
    const resValue = parseBody(ex.response.text(), ex.responseContentType)
    const response = options.response && resValue !== undefined ? options.response(resValue) : resValue
    const c = begun.context
    const input: LogInput = {
      provider: options.provider ?? null,
      operation: options.operation ?? 'custom',
      response,
      status: ex.aborted || ex.status >= 400 ? 'error' : 'ok',
      error: ex.aborted
        ? { type: 'aborted', message: 'client closed the connection before the response ended', httpStatus: ex.status }
        : ex.status >= 400
          ? { type: 'http_error', message: `HTTP ${ex.status}`, httpStatus: ex.status }
          : null,
      startTime: begun.startTime,
      latencyMs: performance.now() - begun.t0,
      // Time to first byte of a streamed (multi-chunk) body: the middleware's view of time to first token.
      ttftMs: ex.response.chunks > 1 && ex.response.firstChunkAt !== null ? ex.response.firstChunkAt - begun.t0 : null,
      userId: c.userId,
      sessionId: c.sessionId,
      app: c.app,
      environment: c.environment,
      tags: c.tags,
      metadata: {
        ...c.metadata,
        http: {
          method: ex.method,
          route: ex.route,
          status: ex.status,
          response_bytes: ex.response.bytes,
          truncated: ex.response.truncated,
        },
      },
    }
    if (typeof prompt === 'string') input.prompt = prompt
    else if (isMessages(prompt)) input.messages = prompt
    else if (prompt !== undefined) input.input = prompt
    safeLog(ledger, input, options.onError)
  } catch (e) {
    reportCaptureError(e, options.onError)
  }
}
