import type { LedgerRecord } from '@promptledger/sdk'

/** The columns every store extracts from a record for filters and stats (SQLite's insert takes them in this order). */
export interface RecordColumns {
  id: string
  ts: number
  stream: string
  seq: number
  model: string | null
  provider: string | null
  user_id: string | null
  session_id: string | null
  app: string | null
  status: string
  latency: number | null
  ttft: number | null
  input_tokens: number | null
  output_tokens: number | null
  cost: number | null
  response_chars: number | null
  uncertain: number
  pii_in_response: number
  injection_score: number | null
}

/** `RecordColumns`' names in their order: the order a store's insert lists them in. */
export const RECORD_COLUMNS: ReadonlyArray<keyof RecordColumns> = [
  'id',
  'ts',
  'stream',
  'seq',
  'model',
  'provider',
  'user_id',
  'session_id',
  'app',
  'status',
  'latency',
  'ttft',
  'input_tokens',
  'output_tokens',
  'cost',
  'response_chars',
  'uncertain',
  'pii_in_response',
  'injection_score',
]

/**
 * The columns with each free-text value a client chose (model, provider, user, session, app) passed through `fix`,
 * in place: what a store whose text type refuses some characters stores, rolls up and filters by.
 */
export function fixTextColumns(c: RecordColumns, fix: (value: string) => string): RecordColumns {
  if (c.model !== null) c.model = fix(c.model)
  if (c.provider !== null) c.provider = fix(c.provider)
  if (c.user_id !== null) c.user_id = fix(c.user_id)
  if (c.session_id !== null) c.session_id = fix(c.session_id)
  if (c.app !== null) c.app = fix(c.app)
  return c
}

/** Text of a response output, whatever shape the provider gave it (string, messages, content parts). */
export function outputText(output: unknown): string {
  const parts: string[] = []
  collectText(output, parts, 0)
  return parts.join('\n')
}

/** Every string under a value, skipping structural keys; bounded depth so hostile nesting cannot recurse deep. */
function collectText(value: unknown, out: string[], depth: number): void {
  if (depth > 32 || value === null || value === undefined) return
  if (typeof value === 'string') {
    if (value.length > 0) out.push(value)
    return
  }
  if (Array.isArray(value)) {
    for (const item of value) collectText(item, out, depth + 1)
    return
  }
  if (typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'role' || key === 'type' || key === 'id') continue
      collectText(item, out, depth + 1)
    }
  }
}

/**
 * A record's full-text document made before its content was encrypted (by the proxy's record worker, which has the
 * plaintext): the store indexes it as is instead of decrypting the record again. A symbol: JSON and the seal's key
 * walk never see it.
 */
export const SEARCH_TEXT: unique symbol = Symbol('promptledger.searchText')

/** The full-text document of a record: redacted content only, none when the content is encrypted. */
export function searchText(record: LedgerRecord): string {
  if (record.enc) return ''
  const out: string[] = []
  collectText(record.request.messages, out, 0)
  collectText(record.request.input, out, 0)
  if (record.response) {
    collectText(record.response.output, out, 0)
    for (const call of record.response.tool_calls ?? []) out.push(call.name, call.arguments)
  }
  if (record.error) out.push(record.error.message)
  return out.join('\n')
}

/** Where a store gets an encrypted record's plaintext for its index, and which data keys an erasure destroyed. */
export interface IndexTextOptions {
  plaintextView?: ((record: LedgerRecord) => LedgerRecord | null) | undefined
  isErasedKey?: ((keyId: string) => boolean) | undefined
}

/**
 * The full-text document a store indexes for a record: the text made before encryption when it came with the record
 * (see SEARCH_TEXT), else the redacted content of the record or of its plaintext view; none for a record whose data
 * key an erasure destroyed.
 */
export function indexText(record: LedgerRecord, options: IndexTextOptions): string {
  const made = (record as { [SEARCH_TEXT]?: string })[SEARCH_TEXT]
  // Text that came with the record was made from its plaintext: not for one whose key an erasure destroyed since.
  // (The plaintext view below answers null for such a record itself.)
  if (made !== undefined) return record.enc && options.isErasedKey?.(record.enc.key_id) ? searchText(record) : made
  return searchText(record.enc && options.plaintextView ? (options.plaintextView(record) ?? record) : record)
}

export function recordColumns(record: LedgerRecord): RecordColumns {
  const signals = record.signals ?? undefined
  let responseChars: number | null = signals?.response_chars ?? null
  if (responseChars === null && record.response && !record.enc)
    responseChars = outputText(record.response.output).length
  let pii = 0
  for (const n of Object.values(signals?.pii_in_response ?? {})) pii += n
  return {
    id: record.id,
    ts: Date.parse(record.ts),
    stream: record.stream,
    seq: record.seq,
    model: record.request.model ?? record.response?.model ?? null,
    provider: record.provider,
    user_id: record.user_id,
    session_id: record.session_id,
    app: record.app,
    status: record.status,
    latency: record.latency_ms,
    ttft: record.ttft_ms,
    input_tokens: record.usage?.input_tokens ?? null,
    output_tokens: record.usage?.output_tokens ?? null,
    cost: record.cost_usd,
    response_chars: responseChars,
    uncertain: signals?.uncertainty ? 1 : 0,
    pii_in_response: pii,
    injection_score: signals?.injection_score ?? null,
  }
}
