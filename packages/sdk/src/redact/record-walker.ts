import type { LedgerRecord, UnsealedRecord } from '../record/schema.js'
import type { RecordRedaction, RedactResult } from './redactor.js'

type RedactText = (text: string) => RedactResult
type Counts = Record<string, number>

// Keys whose string values are protocol structure, not user text (roles, ids, part types, MIME types).
const STRUCTURAL_KEYS = new Set(['role', 'type', 'id', 'tool_call_id', 'tool_use_id', 'media_type', 'mime_type'])

/**
 * Redacts every free-text field of a record in place and sets `record.redactions` (counts only, never values).
 * Tool schemas (`request.tools`) are developer-written, not user data, and are left alone.
 */
export function redactRecordFields(record: UnsealedRecord | LedgerRecord, redact: RedactText): RecordRedaction {
  const counts: Counts = {}
  const responseCounts: Counts = {}
  const req = record.request
  if (req.messages) req.messages = walk(req.messages, redact, counts) as typeof req.messages
  if (req.input !== undefined) req.input = walk(req.input, redact, counts)
  const res = record.response
  if (res) {
    if (res.output !== undefined) res.output = walk(res.output, redact, counts, responseCounts)
    if (res.tool_calls) {
      for (const call of res.tool_calls) call.arguments = redactString(call.arguments, redact, counts, responseCounts)
    }
  }
  if (record.error) record.error.message = redactString(record.error.message, redact, counts)
  if (record.metadata) record.metadata = walk(record.metadata, redact, counts) as Record<string, unknown>
  record.redactions = counts
  return { counts, responseCounts }
}

/**
 * The value with every free-text leaf redacted. Copy on write: an array or object is copied (in its key
 * order) only when something below it changed, and never written to. A record's objects can be the
 * caller's own (toRecord keeps a message list or metadata object that is already in canonical order), and
 * redacting them in place rewrote the application's data after `log()` had returned.
 */
function walk(value: unknown, redact: RedactText, counts: Counts, also?: Counts, inJson = false): unknown {
  if (typeof value === 'string') return redactString(value, redact, counts, also)
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined
    for (let i = 0; i < value.length; i++) {
      const item = value[i]
      const next = walk(item, redact, counts, also, inJson)
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
      // Inside JSON that a model or user wrote, every leaf is content; only the record's own envelope has structure.
      if (!inJson && typeof v === 'string' && STRUCTURAL_KEYS.has(key)) continue
      const next = walk(v, redact, counts, also, inJson)
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
      const out = walk(parsed, redact, counts, also, true)
      return sum(counts) === before ? text : JSON.stringify(out)
    }
  }
  const { text: redacted, findings } = redact(text)
  for (const f of findings) {
    counts[f.type] = (counts[f.type] ?? 0) + 1
    if (also) also[f.type] = (also[f.type] ?? 0) + 1
  }
  return redacted
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
