import { costUsd } from '../cost/cost-usd.js'
import { PromptLedgerError } from '../errors.js'
import { canonicalize, canonicalJson, canonicalShape, NOT_SHAPABLE } from './canonical.js'
import { hmacSha256Hex } from './hmac-sha256.js'
import type { ErrorInput, LogInput } from './log-input.js'
import { type Message, operationSchema, SCHEMA_VERSION, type UnsealedRecord } from './schema.js'

/** What the pipeline knows about a record besides the caller's input. */
export interface RecordContext {
  id: string
  /** Date.now() when `log()` was called. */
  loggedAt: number
  /** Key of the keyed prompt hash; null leaves `prompt_hash` null. */
  hmacKey: Buffer | null
  /** false when redaction is turned off for this ledger (written as `redacted: false`). */
  redacted: boolean
  /**
   * Set by `toRecord`: true when the record is canonical as built (every object's keys in code-unit order,
   * every number finite, no `toJSON`), so `JSON.stringify` of it is its RFC 8785 encoding; false when a
   * caller's value could not be put in that order (the seal's general encoder then takes it).
   */
  canonical?: boolean
}

function fail(field: string, expected: string): never {
  throw new PromptLedgerError('INVALID_INPUT', `log(): field "${field}" must be ${expected}`)
}

function optText(input: LogInput, field: keyof LogInput): string | null {
  const v = input[field]
  if (v === undefined || v === null) return null
  if (typeof v !== 'string') fail(field, 'a string')
  if (v.length > 1024) fail(field, 'at most 1024 characters')
  return v
}

function optCount(v: unknown, field: string): number | null {
  if (v === undefined || v === null) return null
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(field, 'a non-negative integer')
  return v
}

function optMs(v: unknown, field: string): number | null {
  if (v === undefined || v === null) return null
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(field, 'a non-negative number')
  return v
}

function toMs(v: Date | number | undefined, field: string): number | null {
  if (v === undefined) return null
  const ms = v instanceof Date ? v.getTime() : v
  // ±8.64e15 ms is the range a Date (and an ISO time) can hold.
  if (typeof ms !== 'number' || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    fail(field, 'a Date or epoch milliseconds (within the years -271821 to 275760)')
  }
  return ms
}

function toError(e: ErrorInput | Error): NonNullable<UnsealedRecord['error']> {
  const status = (e as { httpStatus?: unknown; status?: unknown }).httpStatus ?? (e as { status?: unknown }).status
  const http = typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599 ? status : null
  const type = e instanceof Error ? e.name : typeof e.type === 'string' ? e.type : 'Error'
  return { http_status: http, message: String(e.message ?? ''), type: type.slice(0, 1024) }
}

// Records of one batch mostly fall in the same millisecond: the last conversion of each field is reused,
// which saved about a tenth of toRecord (two Date objects and ISO strings per record otherwise). One
// cache per field: `ts` and `end_ts` differ by the latency, so a shared one would always miss.
function isoTimeCache(): (ms: number) => string {
  let lastMs = Number.NaN
  let last = ''
  return (ms) => {
    if (ms !== lastMs) {
      last = new Date(ms).toISOString()
      lastMs = ms
    }
    return last
  }
}
const startIso = isoTimeCache()
const endIso = isoTimeCache()

/** Tool calls as the schema has them: `arguments` is the JSON text the model produced, not a parsed object. */
function checkToolCalls(calls: unknown): void {
  if (!Array.isArray(calls)) fail('toolCalls', 'an array')
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i] as Record<string, unknown> | null
    if (typeof call !== 'object' || call === null) fail(`toolCalls[${i}]`, 'an object')
    if (typeof call.name !== 'string') fail(`toolCalls[${i}].name`, 'a string')
    if (typeof call.arguments !== 'string') fail(`toolCalls[${i}].arguments`, 'a string (JSON text, not an object)')
    if (call.id != null && typeof call.id !== 'string') fail(`toolCalls[${i}].id`, 'a string or null')
    if (call.type != null && typeof call.type !== 'string') fail(`toolCalls[${i}].type`, 'a string or null')
  }
}

/** Whether every caller value `shape` saw in the record being built could be put in canonical order. */
let shapable = true

/**
 * A caller's value in canonical key order (a sorted copy where it is not), or the value itself when no
 * order can make it canonical (the seal's general encoder then takes the record, and it is not marked).
 */
function shape<T>(value: T, field: string): T {
  let shaped: unknown
  try {
    shaped = canonicalShape(value)
  } catch (err) {
    // A cycle (or nesting deeper than the stack) recurses until the stack ends: named here, not as a stack overflow.
    if (err instanceof RangeError) fail(field, 'JSON data (no cycles, at most a few thousand levels deep)')
    throw err
  }
  if (shaped !== NOT_SHAPABLE) return shaped as T
  shapable = false
  // Rare: a Date, a toJSON or integer-like keys, which the general encoder takes, or a value no JSON
  // encoder can write (bigint, NaN, Infinity), refused here by the field's name rather than at the seal.
  try {
    canonicalize(value)
  } catch {
    fail(field, 'JSON data (no bigint, NaN or Infinity)')
  }
  return value
}

/** The raw prompt text the keyed hash covers: the simple prompt, else the canonical messages or input. */
function rawPrompt(input: LogInput): string | null {
  if (typeof input.prompt === 'string') return input.prompt
  if (input.messages !== undefined) return canonicalJson(input.messages)
  if (input.input !== undefined) return canonicalJson(input.input)
  return null
}

/**
 * Builds the unsealed record (snake_case) of one `log()` call. Runs off the caller's stack; throws
 * `INVALID_INPUT` naming the field on bad input, which the pipeline counts and reports.
 * Objects are built with their keys in canonical order so that sealing can use the native stringify.
 *
 * @example
 * toRecord({ prompt: 'Hi', response: 'Hello' }, { id, loggedAt: Date.now(), hmacKey, redacted: true })
 */
export function toRecord(input: LogInput, ctx: RecordContext): UnsealedRecord {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail('input', 'an object')
  if (input.prompt !== undefined && typeof input.prompt !== 'string') fail('prompt', 'a string')
  if (input.messages !== undefined) {
    if (!Array.isArray(input.messages)) fail('messages', 'an array')
    for (let i = 0; i < input.messages.length; i++) {
      const m = input.messages[i] as unknown
      if (typeof m !== 'object' || m === null || Array.isArray(m))
        fail(`messages[${i}]`, 'an object ({ role, content })')
    }
  }
  if (input.tags !== undefined && (!Array.isArray(input.tags) || input.tags.some((t) => typeof t !== 'string'))) {
    fail('tags', 'an array of strings')
  }
  if (input.tags && input.tags.length > 64) fail('tags', 'at most 64 entries')
  if (input.metadata !== undefined && (typeof input.metadata !== 'object' || input.metadata === null)) {
    fail('metadata', 'an object')
  }
  if (input.operation !== undefined && !operationSchema.safeParse(input.operation).success) {
    fail('operation', `one of ${operationSchema.options.join(', ')}`)
  }
  if (input.status !== undefined && input.status !== 'ok' && input.status !== 'error') fail('status', "'ok' or 'error'")
  if (input.toolCalls !== undefined) checkToolCalls(input.toolCalls)
  if (
    input.finishReasons !== undefined &&
    (!Array.isArray(input.finishReasons) || input.finishReasons.some((r) => typeof r !== 'string'))
  ) {
    fail('finishReasons', 'an array of strings')
  }
  if (input.usage?.estimated !== undefined && typeof input.usage.estimated !== 'boolean') {
    fail('usage.estimated', 'a boolean')
  }

  const latency = optMs(input.latencyMs, 'latencyMs')
  let start = toMs(input.startTime, 'startTime')
  let end = toMs(input.endTime, 'endTime')
  if (start === null) start = latency !== null ? (end ?? ctx.loggedAt) - latency : ctx.loggedAt
  if (end === null && latency !== null) end = start + latency
  const latencyMs = latency ?? (end !== null ? Math.max(0, end - start) : null)

  const messages: Message[] | undefined =
    input.messages ?? (typeof input.prompt === 'string' ? [{ content: input.prompt, role: 'user' }] : undefined)
  const output = input.output !== undefined ? input.output : input.response
  const hasResponse =
    output !== undefined ||
    input.responseModel != null ||
    input.responseId != null ||
    input.finishReasons !== undefined ||
    input.toolCalls !== undefined
  const u = input.usage
  // A bare string is the message itself (`error: 'timeout'`), not an object without one.
  const err = input.error
    ? typeof input.error === 'string'
      ? { http_status: null, message: input.error, type: 'Error' }
      : toError(input.error)
    : null
  const prompt = ctx.hmacKey ? rawPrompt(input) : null
  // Checked before pricing reads them, so a bad one is named as the field it is.
  const model = optText(input, 'model')
  const responseModel = optText(input, 'responseModel')

  // Keys below are listed in RFC 8785 order on purpose, with the seal's fields as placeholders in their
  // sorted places, and the caller's objects (metadata, messages, params, …) are copied in sorted order
  // when they are not: the sealed record is then canonical as built and one native stringify encodes it
  // (see seal/encode-record.ts). The seal stage overwrites the placeholders.
  shapable = true
  const record = {
    app: optText(input, 'app'),
    // From the versioned price table unless the caller set it; null for an unknown model, never a guess.
    cost_usd: input.costUsd !== undefined ? optMs(input.costUsd, 'costUsd') : costUsd(responseModel ?? model, u),
    // Held in its sorted place so the encrypt stage's assignment keeps the record canonical without a copy.
    enc: undefined,
    end_ts: end !== null ? endIso(end) : null,
    environment: optText(input, 'environment'),
    error: err,
    id: ctx.id,
    latency_ms: latencyMs,
    metadata: input.metadata ? shape(input.metadata, 'metadata') : {},
    operation: input.operation ?? 'chat',
    parent_span_id: optText(input, 'parentSpanId'),
    prev_hash: '',
    prompt_hash: prompt !== null && ctx.hmacKey ? hmacSha256Hex(ctx.hmacKey, prompt) : null,
    provider: optText(input, 'provider'),
    redacted: ctx.redacted,
    redactions: {},
    request: {
      input: shape(input.input, 'input'),
      messages: shape(messages, input.messages !== undefined ? 'messages' : 'prompt'),
      model,
      params: shape(input.params, 'params'),
      tools: shape(input.tools, 'tools'),
    },
    response: hasResponse
      ? {
          finish_reasons: input.finishReasons,
          id: optText(input, 'responseId'),
          model: responseModel ?? model,
          output: shape(output, input.output !== undefined ? 'output' : 'response'),
          tool_calls: input.toolCalls?.map((t) => ({
            arguments: t.arguments,
            id: t.id ?? null,
            name: t.name,
            type: t.type ?? null,
          })),
        }
      : null,
    seq: -1,
    session_id: optText(input, 'sessionId'),
    signals: input.signals ? shape(input.signals, 'signals') : undefined,
    span_id: optText(input, 'spanId'),
    status: input.status ?? (err ? 'error' : 'ok'),
    stream: '',
    tags: input.tags ?? [],
    trace_id: optText(input, 'traceId'),
    ts: startIso(start),
    ttft_ms: optMs(input.ttftMs, 'ttftMs'),
    usage: u
      ? {
          cache_read_tokens: optCount(u.cacheReadTokens, 'usage.cacheReadTokens'),
          cache_write_tokens: optCount(u.cacheWriteTokens, 'usage.cacheWriteTokens'),
          estimated: u.estimated,
          input_tokens: optCount(u.inputTokens, 'usage.inputTokens'),
          output_tokens: optCount(u.outputTokens, 'usage.outputTokens'),
          reasoning_tokens: optCount(u.reasoningTokens, 'usage.reasoningTokens'),
        }
      : null,
    user_id: optText(input, 'userId'),
    v: SCHEMA_VERSION,
  }
  // Every value above is built here in sorted order and validated (strings, finite numbers), or is a
  // caller's value that `shape` put in order.
  ctx.canonical = shapable
  return record as UnsealedRecord
}
