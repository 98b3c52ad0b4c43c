import type { LedgerRecord, UnsealedRecord } from '../record/schema.js'
import { UNSEALED_KEYS } from '../seal/encode-record.js'

/** What stands in for a metadata value or error message whose plaintext lives in `enc.ct`. */
export const ENCRYPTED_PLACEHOLDER = '[encrypted]'
/** What stands in for content whose subject's key was erased. */
export const ERASED_PLACEHOLDER = '[erased]'

/** The content fields of a record, as sealed into `enc.ct`. Short names keep the ciphertext small. */
export interface RecordContent {
  messages?: unknown
  input?: unknown
  output?: unknown
  tool_calls?: unknown
  error_message?: string
  /** Metadata values that are strings, objects or arrays; numbers, booleans and null stay in clear for stats. */
  metadata?: Record<string, unknown>
}

type AnyRecord = UnsealedRecord | LedgerRecord

/**
 * Moves the content fields out of the record (in place) and returns them. Metadata keys stay, with
 * their values replaced by `placeholder`, so filters on a key's presence still work; error.message
 * is a required string in the schema, so it keeps the placeholder too.
 */
export function takeContent(record: AnyRecord, placeholder: string): RecordContent {
  const content: RecordContent = {}
  const req = record.request
  if (req.messages !== undefined) content.messages = req.messages
  if (req.input !== undefined) content.input = req.input
  // Copies without the content keys instead of `delete`: deleting turns an object into a slow
  // dictionary, which made every later stringify and canonical check of the record slower.
  if (content.messages !== undefined || content.input !== undefined) {
    record.request = without(req, 'messages', 'input') as typeof req
  }
  const res = record.response
  if (res) {
    if (res.output !== undefined) content.output = res.output
    if (res.tool_calls !== undefined) content.tool_calls = res.tool_calls
    if (content.output !== undefined || content.tool_calls !== undefined) {
      record.response = without(res, 'output', 'tool_calls') as typeof res
    }
  }
  if (record.error) {
    content.error_message = record.error.message
    record.error.message = placeholder
  }
  let meta: Record<string, unknown> | undefined
  for (const key in record.metadata) {
    const value = record.metadata[key]
    if (staysClear(value) || absentInJson(value)) continue
    meta ??= {}
    setOwn(meta, key, value)
  }
  if (meta) {
    content.metadata = meta
    // A copy: the metadata object can be the caller's own (toRecord keeps an already sorted one), and
    // writing placeholders into it would change what the caller logs next with the same object.
    record.metadata = withPlaceholders(record.metadata, placeholder)
  }
  return content
}

/** Metadata values kept in clear for stats. */
function staysClear(value: unknown): boolean {
  return value === null || typeof value === 'number' || typeof value === 'boolean'
}

/** A copy of `metadata`, in its key order, with every value that does not stay clear replaced by `placeholder`. */
function withPlaceholders(metadata: Record<string, unknown>, placeholder: string): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key in metadata) {
    const value = metadata[key]
    if (!absentInJson(value)) setOwn(out, key, staysClear(value) ? value : placeholder)
  }
  return out
}

/** Values JSON leaves out of an object (`undefined`, functions, symbols): no placeholder stands for them either. */
function absentInJson(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol'
}

/** `target[key] = value`, also for a `__proto__` key (a parsed record may own one: assignment would set the prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  } else target[key] = value
}

/** Puts decrypted content back into a record (in place). */
export function restoreContent(record: AnyRecord, content: RecordContent): void {
  if (content.messages !== undefined) record.request.messages = content.messages as never
  if (content.input !== undefined) record.request.input = content.input
  if (record.response) {
    if (content.output !== undefined) record.response.output = content.output
    if (content.tool_calls !== undefined) record.response.tool_calls = content.tool_calls as never
  }
  if (record.error && content.error_message !== undefined) record.error.message = content.error_message
  if (content.metadata) for (const key in content.metadata) setOwn(record.metadata, key, content.metadata[key])
}

/** Marks every placeholder of an erased record as erased. */
export function markErased(record: AnyRecord): void {
  if (record.error) record.error.message = ERASED_PLACEHOLDER
  for (const key in record.metadata) {
    if (record.metadata[key] === ENCRYPTED_PLACEHOLDER) record.metadata[key] = ERASED_PLACEHOLDER
  }
}

/** A shallow copy of `source` without two keys, keeping the others in their order. */
function without(source: object, a: string, b: string): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key in source) {
    if (key !== a && key !== b) out[key] = (source as Record<string, unknown>)[key]
  }
  return out
}

const RECORD_KEY_SET = new Set(UNSEALED_KEYS)

/**
 * The record with `enc` set and at its RFC 8785 place (between `cost_usd` and `end_ts`), for a record
 * that has no `enc` yet. When every key is a schema v1 key in order and `enc` already holds its place (as
 * `toRecord` builds records, with `enc: undefined`), `enc` is set in place: no copy, no shape change. When
 * the keys are in order but `enc` is missing, this returns a copy built as one object literal (kept in V8's
 * fast mode, unlike an object filled key by key); keys the record lacks are present as `undefined`, which
 * JSON and the seal omit. Otherwise it sets `enc` in place (see `withEncInPlace`). A record with one key out
 * of order costs the seal a sorted deep copy before its native stringify (~10 µs per record in
 * `bench/encryption.bench.ts`); appending `enc` first and copying after cost a shape change and a property
 * store per record besides.
 */
export function withEnc<T extends AnyRecord>(record: T, enc: NonNullable<AnyRecord['enc']>): T {
  const r = record as Record<string, unknown>
  // One walk along the schema's order: the record's keys are in order, and all known, exactly when
  // each is found further along the list than the one before (keys are interned: `!==` is a pointer test).
  let at = 0
  for (const key in r) {
    while (at < UNSEALED_KEYS.length && UNSEALED_KEYS[at] !== key) at++
    if (at === UNSEALED_KEYS.length) {
      r['enc'] = enc
      return withEncInPlace(record)
    }
    at++
  }
  if ('enc' in r) {
    r['enc'] = enc
    return record
  }
  return orderedCopy(r, enc) as T
}

/**
 * The encrypted record with `enc` at its RFC 8785 place. `encryptRecord` works in place and so can
 * only append `enc`: this returns a copy in order (see `withEnc`) when every other key is a schema v1
 * key in order, and otherwise (already in order, or keys it does not know) the record itself.
 */
export function withEncInPlace<T extends AnyRecord>(record: T): T {
  const r = record as Record<string, unknown>
  let prev = ''
  let prevAny = ''
  let inOrder = true
  for (const key in r) {
    if (!RECORD_KEY_SET.has(key)) return record
    if (!(key > prevAny)) inOrder = false
    prevAny = key
    if (key === 'enc') continue
    if (!(key > prev)) return record
    prev = key
  }
  if (inOrder) return record
  return orderedCopy(r, r['enc']) as T
}

/** Every schema v1 key of `r` in RFC 8785 order, with `enc` as given. */
function orderedCopy(r: Record<string, unknown>, enc: unknown): Record<string, unknown> {
  return {
    app: r['app'],
    cost_usd: r['cost_usd'],
    enc,
    end_ts: r['end_ts'],
    environment: r['environment'],
    error: r['error'],
    id: r['id'],
    latency_ms: r['latency_ms'],
    metadata: r['metadata'],
    operation: r['operation'],
    parent_span_id: r['parent_span_id'],
    prev_hash: r['prev_hash'],
    prompt_hash: r['prompt_hash'],
    provider: r['provider'],
    redacted: r['redacted'],
    redactions: r['redactions'],
    request: r['request'],
    response: r['response'],
    seq: r['seq'],
    session_id: r['session_id'],
    signals: r['signals'],
    span_id: r['span_id'],
    status: r['status'],
    stream: r['stream'],
    tags: r['tags'],
    trace_id: r['trace_id'],
    ts: r['ts'],
    ttft_ms: r['ttft_ms'],
    usage: r['usage'],
    user_id: r['user_id'],
    v: r['v'],
  }
}
