import type { LedgerRecord, UnsealedRecord } from '../record/schema.js'
import type { RecordRedaction, RedactResult } from './redactor.js'

type RedactText = (text: string) => RedactResult
type Counts = Record<string, number>

// Keys whose string values are protocol structure, not user text (roles, ids, part types, MIME types): skipped in the
// provider's message structures only (messages, input, output), where the provider defines them, and only when the
// value reads as an identifier. In metadata and params the application chose the keys: `id` may hold an email there.
const STRUCTURAL_KEYS = new Set(['role', 'type', 'id', 'tool_call_id', 'tool_use_id', 'media_type', 'mime_type'])
const IDENTIFIER = /^[A-Za-z0-9_.:/+-]{0,128}$/

// A value is read with its key as context: a leaf redacted alone has lost it (`{"password": "Tr0ub4dor&3x"}` is a
// secret by its key, `{"last_name": "Mokoena"}` a name). Keys are compared lower-cased without `-` and `_`.
const SECRET_KEY_ENDINGS = [
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'apikey',
  'token',
  'authorization',
  'credential',
  'credentials',
  'cookie',
  'accesskey',
  'secretkey',
  'privatekey',
  'signingkey',
  'encryptionkey',
  'masterkey',
]
// Not `name` alone: tools, apps, models and files have names too.
const NAME_KEYS = new Set([
  'firstname',
  'givenname',
  'lastname',
  'surname',
  'familyname',
  'fullname',
  'middlename',
  'displayname',
  'customername',
  'contactname',
  'username',
  'cardholder',
  'cardholdername',
  'nombre',
  'apellido',
  'nom',
  'prenom',
  'vorname',
  'nachname',
  'cognome',
  'naam',
])
/** What a redacted value is read after, by the kind of its key: context the recognizers know. */
const SECRET_CONTEXT = 'password: '
const NAME_CONTEXT = 'name: '
const AUTH_CONTEXT = 'authorization: '

// Every string value of a record is looked up by its key (`content`, `text`, … over and over): the answers are kept,
// up to a bound, so the build path does not lower-case and scan the endings per message.
const contexts = new Map<string, string | null>()
const MAX_CONTEXTS = 4096

function keyContext(key: string): string | null {
  let context = contexts.get(key)
  if (context !== undefined) return context
  const k = key.toLowerCase().replace(/[-_ ]/g, '')
  context = NAME_KEYS.has(k) ? NAME_CONTEXT : SECRET_KEY_ENDINGS.some((e) => k.endsWith(e)) ? SECRET_CONTEXT : null
  if (contexts.size < MAX_CONTEXTS) contexts.set(key, context)
  return context
}

/**
 * Redacts every free-text field of a record in place and sets `record.redactions` (counts only, never values).
 * Tool schemas (`request.tools`) are developer-written, not user data, and are left alone.
 */
export function redactRecordFields(record: UnsealedRecord | LedgerRecord, redact: RedactText): RecordRedaction {
  const counts: Counts = {}
  const responseCounts: Counts = {}
  const req = record.request
  if (req.messages) req.messages = walk(req.messages, redact, counts, undefined, PROVIDER) as typeof req.messages
  if (req.input !== undefined) req.input = walk(req.input, redact, counts, undefined, PROVIDER)
  // Params are the application's (`user`, `extra_headers`, a provider key passed per call): free text like metadata.
  if (req.params) req.params = walk(req.params, redact, counts, undefined, APP) as typeof req.params
  const res = record.response
  if (res) {
    if (res.output !== undefined) res.output = walk(res.output, redact, counts, responseCounts, PROVIDER)
    if (res.tool_calls) {
      for (const call of res.tool_calls) call.arguments = redactString(call.arguments, redact, counts, responseCounts)
    }
  }
  if (record.error) record.error.message = redactString(record.error.message, redact, counts)
  if (record.metadata)
    record.metadata = walk(record.metadata, redact, counts, undefined, APP) as Record<string, unknown>
  record.redactions = counts
  return { counts, responseCounts }
}

/**
 * The value with every free-text leaf redacted. Copy on write: an array or object is copied (in its key
 * order) only when something below it changed, and never written to. A record's objects can be the
 * caller's own (toRecord keeps a message list or metadata object that is already in canonical order), and
 * redacting them in place rewrote the application's data after `log()` had returned.
 */
// Where a value stands: the provider's message structures (structural keys skipped), the application's own objects
// (metadata, params), or JSON inside a string (every leaf is content).
const PROVIDER = 0
const APP = 1
const IN_JSON = 2

function walk(value: unknown, redact: RedactText, counts: Counts, also: Counts | undefined, where: number): unknown {
  if (typeof value === 'string') return redactString(value, redact, counts, also)
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined
    for (let i = 0; i < value.length; i++) {
      const item = value[i]
      const next = walk(item, redact, counts, also, where)
      if (next !== item) copy ??= value.slice()
      if (copy) copy[i] = next
    }
    return copy ?? value
  }
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>
    let copy: Record<string, unknown> | undefined
    for (const key of Object.keys(obj)) {
      const v = obj[key]
      let next: unknown
      if (typeof v === 'string') {
        // Inside JSON that a model or user wrote, every leaf is content; only the provider's envelope has structure.
        if (where === PROVIDER && STRUCTURAL_KEYS.has(key) && IDENTIFIER.test(v)) continue
        const context = keyContext(key)
        next =
          context === null ? redactString(v, redact, counts, also) : redactWithKey(v, context, redact, counts, also)
      } else next = walk(v, redact, counts, also, where)
      if (next === v) continue
      // A spread defines own properties, `__proto__` included, and keeps the key order.
      copy ??= { ...obj }
      if (key === '__proto__') {
        Object.defineProperty(copy, key, { value: next, enumerable: true, writable: true, configurable: true })
      } else copy[key] = next
    }
    return copy ?? obj
  }
  return value
}

/** A string that holds JSON (tool arguments, tool results) is parsed so each leaf is redacted on its own. */
function redactString(text: string, redact: RedactText, counts: Counts, also?: Counts): string {
  const first = firstNonSpace(text)
  if (first === 123 || first === 91) {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = undefined // not JSON after all: redacted as text below
    }
    if (parsed !== undefined && typeof parsed === 'object' && parsed !== null) {
      const before = sum(counts)
      const out = walk(parsed, redact, counts, also, IN_JSON)
      return sum(counts) === before ? text : JSON.stringify(out)
    }
  }
  const { text: redacted, findings } = redact(text)
  for (const f of findings) count(counts, also, f.type)
  return redacted
}

/**
 * A value redacted after its key's kind as context (`password: `, `name: `), so the recognizers read it as they would
 * `password: …` in text; the context is cut from the output again.
 */
function redactWithKey(value: string, context: string, redact: RedactText, counts: Counts, also?: Counts): string {
  const first = firstNonSpace(value)
  if (first === 123 || first === 91 || value.trim() === '') return redactString(value, redact, counts, also)
  // A name field holds words of letters; anything else there (an id, an address) is redacted as text.
  if (context === NAME_CONTEXT && !NAME_SHAPE.test(value)) return redactString(value, redact, counts, also)
  // `Bearer <token>` is read as the header it is.
  if (context === SECRET_CONTEXT && AUTH_SCHEME.test(value)) context = AUTH_CONTEXT
  const { text: redacted, findings } = redact(context + value)
  if (!redacted.startsWith(context)) return redactString(value, redact, counts, also)
  for (const f of findings) count(counts, also, f.type)
  return redacted.slice(context.length)
}
const AUTH_SCHEME = /^(?:bearer|basic|token)\s/i
const NAME_SHAPE = /^\p{L}[\p{L}\p{M}'’. -]{0,80}$/u

function count(counts: Counts, also: Counts | undefined, type: string): void {
  counts[type] = (counts[type] ?? 0) + 1
  if (also) also[type] = (also[type] ?? 0) + 1
}

function firstNonSpace(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return c
  }
  return -1
}

function sum(c: Counts): number {
  let n = 0
  for (const k in c) n += c[k]!
  return n
}
