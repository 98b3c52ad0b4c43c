import { z } from 'zod'

/** Schema version written in every record's `v` field. */
export const SCHEMA_VERSION = 1 as const

export const operationSchema = z.enum(['chat', 'completion', 'responses', 'embeddings', 'tool', 'custom'])
export type Operation = z.infer<typeof operationSchema>

const isoTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/, 'expected an ISO-8601 timestamp')
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'expected a UUID')
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters')
const count = z.number().int().nonnegative()
const shortText = z.string().max(1024)

/** A chat message as providers send it; content stays open because providers disagree on its shape. */
export const messageSchema = z.looseObject({
  role: shortText,
  content: z.unknown().optional(),
})
export type Message = z.infer<typeof messageSchema>

export const toolCallSchema = z.looseObject({
  id: shortText.nullish(),
  type: shortText.nullish(),
  name: shortText,
  arguments: z.string(),
})
export type ToolCall = z.infer<typeof toolCallSchema>

export const requestSchema = z.object({
  model: shortText.nullable(),
  messages: z.array(messageSchema).optional(),
  input: z.unknown().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  tools: z.array(z.unknown()).optional(),
})

export const responseSchema = z.object({
  model: shortText.nullish(),
  id: shortText.nullish(),
  output: z.unknown().optional(),
  finish_reasons: z.array(shortText).optional(),
  tool_calls: z.array(toolCallSchema).optional(),
})

export const usageSchema = z.object({
  input_tokens: count.nullish(),
  output_tokens: count.nullish(),
  cache_read_tokens: count.nullish(),
  cache_write_tokens: count.nullish(),
  reasoning_tokens: count.nullish(),
  /** true when tokens were counted by a tokenizer because the provider did not report them. */
  estimated: z.boolean().optional(),
})

export const errorSchema = z.object({
  type: shortText,
  message: z.string(),
  http_status: z.number().int().min(100).max(599).nullish(),
})

/**
 * Present when content fields are encrypted; they then live in `ct` and are absent from the record body.
 * `aes-256-ctr-hmac-sha256` is written today; `aes-256-gcm` records (written before) stay readable.
 */
export const encSchema = z.object({
  alg: z.enum(['aes-256-gcm', 'aes-256-ctr-hmac-sha256']),
  key_id: shortText,
  subject: shortText,
  iv: z.string(),
  tag: z.string(),
  ct: z.string(),
})

export const signalsSchema = z.looseObject({
  injection_score: z.number().min(0).max(1).optional(),
  injection_rules: z.array(shortText).optional(),
  uncertainty: z.boolean().optional(),
  uncertainty_phrases: z.array(shortText).optional(),
  pii_in_response: z.record(z.string(), count).optional(),
  response_chars: count.optional(),
})

/**
 * The on-disk and on-wire record (snake_case), schema version 1.
 * `stream`, `seq`, `prev_hash` and `hash` are set by the seal stage.
 */
export const ledgerRecordSchema = z.object({
  v: z.literal(SCHEMA_VERSION),
  id: uuid,
  ts: isoTime,
  end_ts: isoTime.nullable(),
  latency_ms: z.number().nonnegative().nullable(),
  ttft_ms: z.number().nonnegative().nullable(),
  stream: shortText,
  seq: count,
  prev_hash: hex64,
  hash: hex64,
  provider: shortText.nullable(),
  operation: operationSchema,
  request: requestSchema,
  response: responseSchema.nullable(),
  usage: usageSchema.nullable(),
  cost_usd: z.number().nonnegative().nullable(),
  status: z.enum(['ok', 'error']),
  error: errorSchema.nullable(),
  user_id: shortText.nullable(),
  session_id: shortText.nullable(),
  trace_id: shortText.nullable(),
  span_id: shortText.nullable(),
  parent_span_id: shortText.nullable(),
  app: shortText.nullable(),
  environment: shortText.nullable(),
  tags: z.array(shortText).max(64),
  metadata: z.record(z.string(), z.unknown()),
  prompt_hash: hex64.nullable(),
  /** false only when redaction was explicitly turned off for this record. */
  redacted: z.boolean(),
  redactions: z.record(z.string(), count),
  enc: encSchema.nullable().optional(),
  signals: signalsSchema.nullable().optional(),
})

export type LedgerRecord = z.infer<typeof ledgerRecordSchema>
export type RecordRequest = z.infer<typeof requestSchema>
export type RecordResponse = z.infer<typeof responseSchema>
export type RecordUsage = z.infer<typeof usageSchema>
export type RecordError = z.infer<typeof errorSchema>
export type RecordEnc = z.infer<typeof encSchema>
export type RecordSignals = z.infer<typeof signalsSchema>

/** A record before sealing: everything but the chain fields. */
export type UnsealedRecord = Omit<LedgerRecord, 'stream' | 'seq' | 'prev_hash' | 'hash'>

/** A record that has not been sealed: the fields a client may send to a collector for it to seal. */
export const unsealedRecordSchema = ledgerRecordSchema.omit({ stream: true, seq: true, prev_hash: true, hash: true })
