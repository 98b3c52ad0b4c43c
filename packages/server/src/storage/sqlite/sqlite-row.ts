import type { LedgerRecord } from '@promptledger/sdk'
import type Database from 'better-sqlite3'

/** The extracted columns of one record, in the order of the insert statement. */
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

/**
 * The `records` row insert, positional (binding by position is cheaper than looking up named keys); run it with
 * {@link runRecordInsert}, which passes the values in this order.
 */
export const INSERT_RECORD_ROW = `INSERT INTO records (rowid, id, ts, stream, seq, model, provider, user_id, session_id,
  app, status, latency, ttft, input_tokens, output_tokens, cost, response_chars, uncertain, pii_in_response,
  injection_score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

/**
 * Runs a statement prepared from {@link INSERT_RECORD_ROW} (plus any conflict clause) for one record. The values
 * go as arguments, not as one array: better-sqlite3 reads an array's elements through one V8 property lookup each
 * (about 400 instructions, 8,000 a record under callgrind), arguments directly.
 */
export function runRecordInsert(stmt: Database.Statement, rowid: number, c: RecordColumns): Database.RunResult {
  return stmt.run(
    rowid,
    c.id,
    c.ts,
    c.stream,
    c.seq,
    c.model,
    c.provider,
    c.user_id,
    c.session_id,
    c.app,
    c.status,
    c.latency,
    c.ttft,
    c.input_tokens,
    c.output_tokens,
    c.cost,
    c.response_chars,
    c.uncertain,
    c.pii_in_response,
    c.injection_score,
  )
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
