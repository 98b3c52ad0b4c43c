import type { LedgerRecord, Operation } from '../../record/schema.js'
import { inputMessages, outputMessages } from './genai-messages.js'
import {
  Attributes,
  type OtlpSpan,
  SPAN_KIND_CLIENT,
  SPAN_KIND_INTERNAL,
  STATUS_CODE_ERROR,
  unixNanos,
} from './otlp-json.js'
import { spanIds } from './span-ids.js'

/** `gen_ai.operation.name` for each record operation; `responses` is a chat call (OpenAI's newer chat API). */
const GENAI_OPERATION: Record<Operation, string> = {
  chat: 'chat',
  completion: 'text_completion',
  responses: 'chat',
  embeddings: 'embeddings',
  tool: 'execute_tool',
  custom: 'custom',
}

/** Request params with a GenAI attribute of their own, by the names providers use, and the attribute's type. */
const REQUEST_PARAMS: Array<[param: string, attribute: string, type: 'int' | 'double']> = [
  ['temperature', 'gen_ai.request.temperature', 'double'],
  ['top_p', 'gen_ai.request.top_p', 'double'],
  ['top_k', 'gen_ai.request.top_k', 'int'],
  ['max_tokens', 'gen_ai.request.max_tokens', 'int'],
  ['max_completion_tokens', 'gen_ai.request.max_tokens', 'int'],
  ['max_output_tokens', 'gen_ai.request.max_tokens', 'int'],
  ['frequency_penalty', 'gen_ai.request.frequency_penalty', 'double'],
  ['presence_penalty', 'gen_ai.request.presence_penalty', 'double'],
  ['seed', 'gen_ai.request.seed', 'int'],
]

export interface SpanOptions {
  /** Add prompt and output as `gen_ai.input.messages` / `gen_ai.output.messages`. */
  content: boolean
}

/**
 * One record as one span of the OpenTelemetry GenAI conventions (an inference client span, named
 * `{gen_ai.operation.name} {gen_ai.request.model}`), with promptledger's own fields under `promptledger.`.
 */
export function recordSpan(record: LedgerRecord, options: SpanOptions): OtlpSpan {
  const operation = GENAI_OPERATION[record.operation] ?? record.operation
  const model = record.request.model
  const span: OtlpSpan = {
    ...spanIds(record),
    name: model ? `${operation} ${model}` : operation,
    // The convention makes tool execution an in-process (INTERNAL) span; model calls cross a process (CLIENT).
    kind: operation === 'execute_tool' ? SPAN_KIND_INTERNAL : SPAN_KIND_CLIENT,
    startTimeUnixNano: unixNanos(record.ts),
    endTimeUnixNano: unixNanos(endTime(record)),
    attributes: attributes(record, operation, options).list,
  }
  if (record.status === 'error') span.status = errorStatus(record)
  return span
}

/** `end_ts`, or the start plus the latency when the record has no end (a call captured before it finished). */
function endTime(record: LedgerRecord): string {
  if (record.end_ts) return record.end_ts
  if (record.latency_ms === null) return record.ts
  return new Date(Date.parse(record.ts) + record.latency_ms).toISOString()
}

function errorStatus(record: LedgerRecord): { code: number; message?: string } {
  // An encrypted record's message is a placeholder (the text is in the ciphertext): its type says more.
  const message = record.enc ? record.error?.type : (record.error?.message ?? record.error?.type)
  return message ? { code: STATUS_CODE_ERROR, message } : { code: STATUS_CODE_ERROR }
}

function attributes(record: LedgerRecord, operation: string, options: SpanOptions): Attributes {
  const a = new Attributes()
  const { request, response, usage } = record
  a.set('gen_ai.operation.name', operation)
    .set('gen_ai.provider.name', record.provider)
    .set('gen_ai.request.model', request.model)
  if (request.params) requestParams(a, request.params)
  a.set('gen_ai.response.model', response?.model)
    .set('gen_ai.response.id', response?.id)
    .set('gen_ai.response.finish_reasons', response?.finish_reasons)
    .set('gen_ai.usage.input_tokens', usage?.input_tokens)
    .set('gen_ai.usage.output_tokens', usage?.output_tokens)
    .set('gen_ai.conversation.id', record.session_id)
  if (record.status === 'error') a.set('error.type', record.error?.type ?? '_OTHER')
  ledgerAttributes(a, record)
  // Encrypted records hold placeholders where content was: there is nothing true to send, whatever the option.
  if (options.content && !record.enc) {
    const input = inputMessages(record)
    const output = outputMessages(record)
    // Structured attribute values are not yet carried on spans by most backends: the convention says JSON text.
    if (input) a.set('gen_ai.input.messages', JSON.stringify(input))
    if (output) a.set('gen_ai.output.messages', JSON.stringify(output))
  }
  return a
}

function requestParams(a: Attributes, params: Record<string, unknown>): void {
  const seen = new Set<string>()
  for (const [param, key, type] of REQUEST_PARAMS) {
    const value = params[param]
    // Attribute keys must be unique in a span: the first of two names for one setting wins.
    if (typeof value !== 'number' || seen.has(key) || (type === 'int' && !Number.isSafeInteger(value))) continue
    seen.add(key)
    if (type === 'int') a.set(key, value)
    else a.double(key, value)
  }
}

function ledgerAttributes(a: Attributes, record: LedgerRecord): void {
  a.set('promptledger.record.id', record.id)
    .set('promptledger.operation', record.operation)
    .set('promptledger.stream', record.stream)
    .set('promptledger.seq', record.seq)
    .set('promptledger.hash', record.hash)
    .double('promptledger.cost_usd', record.cost_usd)
    .double('promptledger.latency_ms', record.latency_ms)
    .double('promptledger.ttft_ms', record.ttft_ms)
    .set('promptledger.user_id', record.user_id)
    .set('promptledger.session_id', record.session_id)
    .set('promptledger.app', record.app)
    .set('promptledger.environment', record.environment)
    .set('promptledger.redacted', record.redacted)
    .set('promptledger.encrypted', Boolean(record.enc))
    .set('promptledger.error.http_status', record.error?.http_status)
  if (record.tags.length > 0) a.set('promptledger.tags', record.tags)
  for (const [entity, count] of Object.entries(record.redactions)) a.set(`promptledger.redactions.${entity}`, count)
}
