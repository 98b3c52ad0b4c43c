import type { UnsealedRecord } from '@promptledger/sdk'

/**
 * A hand-written check of the record schema (`unsealedRecordSchema`, SDK record/schema.ts) for the ingest hot
 * path: zod costs about 20 µs a record, this walk about 1–2 µs. It only ever says "valid, here is the same
 * output zod would give" or "not sure": on null the caller runs zod, which also names the failing field, so
 * error messages come from one place. Rule: accept nothing zod rejects, and build the value zod builds
 * (strict objects lose unknown keys, loose objects keep them) — record-check.test.ts compares both on
 * generated records. Objects are built with their keys in code-unit order, and the chain fields the seal
 * assigns (`prev_hash`, `seq`, `stream`) are placed, undefined, where they sort: the sealed record is then
 * in canonical order as it stands, and the seal encodes it with one native stringify, no sorted copy
 * (about 20 µs a record on the ingest bench's machine).
 */

type Obj = Record<string, unknown>

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const HEX64 = /^[0-9a-f]{64}$/
const OPERATIONS = new Set(['chat', 'completion', 'responses', 'embeddings', 'tool', 'custom'])
/** Thrown inside the walk to abandon the fast path; never escapes `checkRecord`. */
const UNSURE = Symbol('unsure')

function fail(): never {
  throw UNSURE
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * An object zod copies key by key (records, loose objects). A `__proto__` member would become the copy's
 * prototype there, so such input goes to zod.
 */
function plain(v: unknown): Obj {
  if (!isObj(v) || Object.hasOwn(v, '__proto__')) fail()
  return v
}

function short(v: unknown): string {
  if (typeof v !== 'string' || v.length > 1024) fail()
  return v
}

function text(v: unknown): string {
  if (typeof v !== 'string') fail()
  return v
}

function shortOrNull(v: unknown): string | null {
  return v === null ? null : short(v)
}

function matches(v: unknown, re: RegExp): string {
  if (typeof v !== 'string' || !re.test(v)) fail()
  return v
}

function nonNegative(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !(v >= 0)) fail()
  return v
}

function nonNegativeOrNull(v: unknown): number | null {
  return v === null ? null : nonNegative(v)
}

function count(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail()
  return v
}

function bool(v: unknown): boolean {
  if (typeof v !== 'boolean') fail()
  return v
}

function shortArray(v: unknown, max = Number.POSITIVE_INFINITY): string[] {
  if (!Array.isArray(v) || v.length > max) fail()
  for (let i = 0; i < v.length; i++) short(v[i])
  return v
}

function counts(v: unknown): Record<string, number> {
  const out = sortedCopy(v)
  for (const key in out) count(out[key])
  return out as Record<string, number>
}

/**
 * Sets `key` on `out` when present in `from` (optional members: absent stays absent, and a member set to
 * undefined stays so, as zod keeps it).
 */
function optional<T>(out: Obj, from: Obj, key: string, check: (v: unknown) => T): void {
  const v = from[key]
  if (v !== undefined) out[key] = check(v)
  else if (key in from) out[key] = undefined
}

/** Like `optional`, and null is kept (`.nullish()` members). */
function nullish<T>(out: Obj, from: Obj, key: string, check: (v: unknown) => T): void {
  optional(out, from, key, (v) => (v === null ? null : check(v)))
}

/** An optional member of any value (`z.unknown().optional()`). */
function anything(v: unknown): unknown {
  return v
}

/**
 * The object with its keys in code-unit order (the seal then encodes it without copying it again): itself when
 * they are (the common case: clients send canonical JSON), else a sorted copy. Loose objects (messages, tool
 * calls, signals) and records: zod keeps every member of those, so the result holds every key.
 */
function sortedCopy(v: unknown): Obj {
  const o = plain(v)
  const keys = Object.keys(o)
  let sorted = true
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1]! < keys[i]!
  // Taken as is: the input is the caller's own parse of the request (see `checkRecord`), and copying each member
  // object key by key runs V8's slow (megamorphic) property paths. Only a plain object: zod's copy has Object's
  // prototype.
  if (sorted && Object.getPrototypeOf(o) === Object.prototype) return o
  keys.sort()
  const out: Obj = {}
  for (let i = 0; i < keys.length; i++) out[keys[i]!] = o[keys[i]!]
  return out
}

function looseCopy(v: unknown): Obj {
  return sortedCopy(v)
}

function message(v: unknown): Obj {
  const out = looseCopy(v)
  short(out['role'])
  return out
}

function toolCall(v: unknown): Obj {
  const out = looseCopy(v)
  if (out['id'] !== undefined && out['id'] !== null) short(out['id'])
  if (out['type'] !== undefined && out['type'] !== null) short(out['type'])
  short(out['name'])
  text(out['arguments'])
  return out
}

/** The array itself, each item checked and replaced by its result (a parsed array stays packed: see SealEncoder). */
function list<T>(v: unknown, item: (v: unknown) => T): T[] {
  if (!Array.isArray(v)) fail()
  for (let i = 0; i < v.length; i++) v[i] = item(v[i])
  return v as T[]
}

function anyRecord(v: unknown): Obj {
  return sortedCopy(v)
}

function request(v: unknown): Obj {
  if (!isObj(v)) fail()
  const out: Obj = {}
  optional(out, v, 'input', anything)
  optional(out, v, 'messages', (m) => list(m, message))
  out['model'] = shortOrNull(v['model'])
  optional(out, v, 'params', anyRecord)
  optional(out, v, 'tools', (t) => list(t, anything))
  return out
}

function response(v: unknown): Obj | null {
  if (v === null) return null
  if (!isObj(v)) fail()
  const out: Obj = {}
  optional(out, v, 'finish_reasons', (f) => shortArray(f))
  nullish(out, v, 'id', short)
  nullish(out, v, 'model', short)
  optional(out, v, 'output', anything)
  optional(out, v, 'tool_calls', (t) => list(t, toolCall))
  return out
}

function usage(v: unknown): Obj | null {
  if (v === null) return null
  if (!isObj(v)) fail()
  const out: Obj = {}
  nullish(out, v, 'cache_read_tokens', count)
  nullish(out, v, 'cache_write_tokens', count)
  optional(out, v, 'estimated', bool)
  nullish(out, v, 'input_tokens', count)
  nullish(out, v, 'output_tokens', count)
  nullish(out, v, 'reasoning_tokens', count)
  return out
}

function error(v: unknown): Obj | null {
  if (v === null) return null
  if (!isObj(v)) fail()
  const out: Obj = {}
  nullish(out, v, 'http_status', (n) => {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 100 || n > 599) fail()
    return n
  })
  out['message'] = text(v['message'])
  out['type'] = short(v['type'])
  return out
}

/** The SDK's envelope algorithms (`encSchema`): the current one and the one older records carry. */
const ENC_ALGS: ReadonlySet<unknown> = new Set(['aes-256-ctr-hmac-sha256', 'aes-256-gcm'])

function enc(v: unknown): Obj | null {
  if (v === null) return null
  if (!isObj(v) || !ENC_ALGS.has(v['alg'])) fail()
  return {
    alg: v['alg'],
    ct: text(v['ct']),
    iv: text(v['iv']),
    key_id: short(v['key_id']),
    subject: short(v['subject']),
    tag: text(v['tag']),
  }
}

function signals(v: unknown): Obj | null {
  if (v === null) return null
  const out = looseCopy(v)
  optional(out, out, 'injection_rules', (r) => shortArray(r))
  optional(out, out, 'injection_score', (n) => {
    if (nonNegative(n) > 1) fail()
    return n
  })
  optional(out, out, 'pii_in_response', counts)
  optional(out, out, 'response_chars', count)
  optional(out, out, 'uncertainty', bool)
  optional(out, out, 'uncertainty_phrases', (p) => shortArray(p))
  return out
}

function walk(r: Obj): UnsealedRecord {
  const out: Obj = {}
  out['app'] = shortOrNull(r['app'])
  out['cost_usd'] = nonNegativeOrNull(r['cost_usd'])
  // Always a slot: the collector's encryption then fills it in its canonical place and the seal need not re-sort.
  out['enc'] = r['enc'] === undefined ? undefined : enc(r['enc'])
  out['end_ts'] = r['end_ts'] === null ? null : matches(r['end_ts'], ISO_TIME)
  out['environment'] = shortOrNull(r['environment'])
  out['error'] = error(r['error'])
  out['id'] = matches(r['id'], UUID)
  out['latency_ms'] = nonNegativeOrNull(r['latency_ms'])
  out['metadata'] = anyRecord(r['metadata'])
  const operation = r['operation']
  if (typeof operation !== 'string' || !OPERATIONS.has(operation)) fail()
  out['operation'] = operation
  out['parent_span_id'] = shortOrNull(r['parent_span_id'])
  out['prev_hash'] = undefined
  out['prompt_hash'] = r['prompt_hash'] === null ? null : matches(r['prompt_hash'], HEX64)
  out['provider'] = shortOrNull(r['provider'])
  out['redacted'] = bool(r['redacted'])
  out['redactions'] = counts(r['redactions'])
  out['request'] = request(r['request'])
  out['response'] = response(r['response'])
  out['seq'] = undefined
  out['session_id'] = shortOrNull(r['session_id'])
  optional(out, r, 'signals', signals)
  out['span_id'] = shortOrNull(r['span_id'])
  if (r['status'] !== 'ok' && r['status'] !== 'error') fail()
  out['status'] = r['status']
  out['stream'] = undefined
  out['tags'] = shortArray(r['tags'], 64)
  out['trace_id'] = shortOrNull(r['trace_id'])
  out['ts'] = matches(r['ts'], ISO_TIME)
  out['ttft_ms'] = nonNegativeOrNull(r['ttft_ms'])
  out['usage'] = usage(r['usage'])
  out['user_id'] = shortOrNull(r['user_id'])
  if (r['v'] !== 1) fail()
  out['v'] = 1
  return out as unknown as UnsealedRecord
}

/**
 * The validated record (what `unsealedRecordSchema.parse` returns, keys in canonical order), or null when the
 * item is invalid or outside what this check covers: then zod decides and names the field. The result shares
 * members with `item` (arrays and objects that needed no change): pass a value of your own, such as a fresh
 * `JSON.parse`, since later steps (redaction, encryption) change the record in place.
 *
 * @example
 * const record = checkRecord(item) ?? unsealedRecordSchema.parse(item)
 */
export function checkRecord(item: unknown): UnsealedRecord | null {
  if (!isObj(item)) return null
  try {
    return walk(item)
  } catch (err) {
    if (err === UNSURE) return null
    throw err
  }
}
