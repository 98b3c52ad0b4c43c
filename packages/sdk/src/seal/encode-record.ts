import { hash } from 'node:crypto'
import { canonicalize, canonicalJson, canonicalShape, NOT_SHAPABLE } from '../record/canonical.js'
import type { LedgerRecord } from '../record/schema.js'

// Every top-level field of schema v1 in RFC 8785 order (UTF-16 code-unit sort), with its JSON-quoted key
// precomputed: the encoder then never sorts or quotes top-level keys per record.
export const TOP_KEYS: readonly string[] = [
  'app',
  'cost_usd',
  'enc',
  'end_ts',
  'environment',
  'error',
  'hash',
  'id',
  'latency_ms',
  'metadata',
  'operation',
  'parent_span_id',
  'prev_hash',
  'prompt_hash',
  'provider',
  'redacted',
  'redactions',
  'request',
  'response',
  'seq',
  'session_id',
  'signals',
  'span_id',
  'status',
  'stream',
  'tags',
  'trace_id',
  'ts',
  'ttft_ms',
  'usage',
  'user_id',
  'v',
].sort()
/** Schema v1's top-level keys besides `hash`, in RFC 8785 order: the keys of every record `toRecord` builds. */
export const UNSEALED_KEYS: readonly string[] = TOP_KEYS.filter((k) => k !== 'hash')
const QUOTED = TOP_KEYS.map((k) => `${JSON.stringify(k)}:`)
const HASH_INDEX = TOP_KEYS.indexOf('hash')

/**
 * True when `JSON.stringify(value)` already is its RFC 8785 encoding: every object's keys are in
 * code-unit order, numbers are finite and no `toJSON` is involved. Checking is a read-only walk,
 * several times cheaper than building the canonical string in JavaScript; the stringify that follows
 * is native. Records built by `log()` have sorted keys, so this is the common path.
 */
export function isCanonicalAsIs(value: unknown): boolean {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value)
    case 'bigint':
    case 'symbol':
      return false
    case 'object':
      break
    default:
      // strings, booleans, and undefined/functions (omitted in objects, null in arrays by both encoders)
      return true
  }
  if (value === null) return true
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isCanonicalAsIs(value[i])) return false
    return true
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false
  let prev: string | undefined
  for (const key in value) {
    if (prev !== undefined && !(prev < key)) return false
    if (!isCanonicalAsIs((value as Record<string, unknown>)[key])) return false
    prev = key
  }
  return true
}

/** RFC 8785 encoding of one value, through the native stringify when the value allows it. */
export function encodeValue(value: unknown): string {
  return isCanonicalAsIs(value) ? JSON.stringify(value) : canonicalJson(value)
}

/** A sealed record's hash and its NDJSON line (the canonical encoding of the whole record). */
export interface EncodedRecord {
  hash: string
  line: string
}

/**
 * A sealed record's line in pieces: `body` is the canonical JSON without `hash` and `at` the index where
 * `,"hash":"<hash>"` goes (or -1 when `body` already is the whole line). The ledger's own write path
 * does not use these: it seals straight into a `LineBuffer` (see line-buffer.ts).
 */
export interface EncodedParts {
  hash: string
  body: string
  at: number
}

/** The NDJSON line of encoded parts, as one string. */
export function partsLine(p: EncodedParts): string {
  return p.at < 0 ? p.body : `${p.body.slice(0, p.at)},"hash":"${p.hash}"${p.body.slice(p.at)}`
}

/**
 * Hashes a record (SHA-256 of the canonical JSON without `hash`, exactly what `recordHash` computes)
 * and returns the canonical line with `hash` in its sorted place. One encoding serves both the hash
 * and the file, so the file ledger never serializes a record twice.
 */
export function encodeRecord(record: Omit<LedgerRecord, 'hash'> & { hash?: string }): EncodedRecord {
  const p = encodeRecordParts(record)
  return { hash: p.hash, line: partsLine(p) }
}

/**
 * The canonical JSON of a record without `hash` through one native stringify, or undefined when the
 * record cannot take that path (it has a `hash` member, or a value no key order makes canonical).
 * `canonical`: its builder knows the record to be canonical as it stands (`RecordContext.canonical`, through
 * stages that keep it so): the key-order walk is skipped, as the build worker's `bodyParts` does.
 */
export function canonicalBody(
  record: Omit<LedgerRecord, 'hash'> & { hash?: string },
  canonical = false,
): string | undefined {
  if (record.hash !== undefined || 'hash' in record) return undefined
  const shaped = canonical ? record : canonicalShape(record)
  return shaped === NOT_SHAPABLE ? undefined : JSON.stringify(shaped)
}

/** `encodeRecord` without assembling the line (see `EncodedParts`). */
export function encodeRecordParts(record: Omit<LedgerRecord, 'hash'> & { hash?: string }): EncodedParts {
  // Fast path: records built by toRecord() already have every key in canonical order, so one native
  // stringify is the canonical body. `hash` goes right before `"id"`: the keys sorting before it (app,
  // cost_usd, enc, end_ts, environment, error) cannot hold an `"id"` member, and strings escape quotes.
  // Unsorted user objects (metadata, params) are copied in sorted order first: a copy plus one native
  // stringify is several times cheaper than encoding the record key by key in JavaScript.
  const fast = canonicalBody(record)
  if (fast !== undefined) {
    const at = fast.indexOf(`,"id":${JSON.stringify(record.id)}`)
    if (at > 0) {
      return { hash: hash('sha256', fast), body: fast, at }
    }
  }
  const parts: string[] = []
  let seen = 0
  let hashAt = -1
  const r = record as Record<string, unknown>
  for (let i = 0; i < TOP_KEYS.length; i++) {
    const key = TOP_KEYS[i]!
    const v = r[key]
    if (v === undefined) {
      if (key in r) seen++
      if (i === HASH_INDEX) hashAt = parts.length
      continue
    }
    seen++
    if (i === HASH_INDEX) hashAt = parts.length
    else if (typeof v !== 'function') parts.push(QUOTED[i] + encodeValue(v))
  }
  let body: string
  if (seen !== Object.keys(record).length) {
    // Fields outside schema v1: fall back to the general encoder so they are hashed too.
    const { hash: _ignored, ...rest } = record
    body = canonicalize(rest)
    const h = hash('sha256', body)
    return { hash: h, body: canonicalize({ ...rest, hash: h }), at: -1 }
  }
  body = `{${parts.join(',')}}`
  // crypto.hash is the one-shot native digest: no Hash object per record (about 2x faster than createHash).
  const h = hash('sha256', body)
  parts.splice(hashAt, 0, `"hash":"${h}"`)
  return { hash: h, body: `{${parts.join(',')}}`, at: -1 }
}

/**
 * Checks a line written by the file ledger against the hash it claims, without re-encoding:
 * the line minus its `"hash":"…"` member is the hashed text. Returns false when the line is not in
 * canonical form (the caller then falls back to `recordHash` on the parsed record).
 */
export function lineMatchesHash(line: string, claimed: string): boolean {
  const member = `"hash":"${claimed}"`
  const at = line.indexOf(member)
  if (at < 1) return false
  let body: string
  if (line.charCodeAt(at - 1) === 44 /* , */) body = line.slice(0, at - 1) + line.slice(at + member.length)
  else if (line.charCodeAt(at + member.length) === 44) body = line.slice(0, at) + line.slice(at + member.length + 1)
  else body = line.slice(0, at) + line.slice(at + member.length)
  return hash('sha256', body) === claimed
}
