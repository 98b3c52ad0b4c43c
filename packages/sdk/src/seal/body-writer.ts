import { canonicalShape, NOT_SHAPABLE } from '../record/canonical.js'
import { envelopeJson } from '../record/envelope-json.js'
import { UNSEALED_KEYS } from './encode-record.js'

/**
 * A record's canonical body (RFC 8785 JSON without `hash`) in pieces, split where the chain's members
 * go: `a` holds the members that sort before `hash` (app … error), `b` those between `hash` and
 * `prev_hash` (id … parent_span_id), `c` those between `prev_hash` and `seq` (prompt_hash … response),
 * `d` those after `seq` (session_id … v); each is the JSON of an object, braces included. `prev` and
 * `seq` are the JSON texts of those two values.
 *
 * Written back to back (see `writeBody`), the pieces are exactly `JSON.stringify` of the shaped record,
 * and the places of `hash`, `prev_hash` and `seq` are known from the bytes written: the build worker never
 * searches a body for them. It used to search five times a record (the three members, and twice more to
 * prove placeholders unique), ~0.7 µs a search on a 1.9 KB body, longer behind an encrypted record's
 * ciphertext, which sorts before `id`; four stringifies cost about 1 µs more than one, so the ledger's own
 * thread, which makes one short search for `id` only, keeps the single stringify (see line-buffer.ts).
 */
export interface BodyParts {
  a: string
  b: string
  c: string
  d: string
  prev: string
  seq: string
}

/** Byte offsets in a written body, relative to where it starts. */
export interface BodyPlaces {
  /** Where `,"hash":"…"` goes: just after the last member that sorts before `hash`. */
  hashAt: number
  /** First character of the `prev_hash` value (inside its quotes). */
  prevAt: number
  /** First digit of the `seq` value. */
  seqAt: number
}

const KNOWN = new Set(UNSEALED_KEYS)

const PREV_KEY = ',"prev_hash":'
const SEQ_KEY = ',"seq":'

/** Whether every key is a schema v1 key other than `hash` (the pieces below would drop any other). */
function knownKeys(keys: readonly string[]): boolean {
  // Records built by toRecord have exactly UNSEALED_KEYS, in order: compared by reference, no lookup.
  if (keys.length === UNSEALED_KEYS.length) {
    let i = 0
    while (i < keys.length && keys[i] === UNSEALED_KEYS[i]) i++
    if (i === keys.length) return true
  }
  for (const key of keys) if (!KNOWN.has(key)) return false
  return true
}

/**
 * The pieces of a record whose members are all schema v1 keys (without `hash`), with a string
 * `prev_hash`, a finite `seq` and at least one member sorting before `hash`; undefined otherwise (the
 * caller then takes the general encoder). Unsorted nested objects are shaped as `canonicalBody` does.
 */
export function bodyParts(record: object, canonical = false): BodyParts | undefined {
  const proto = Object.getPrototypeOf(record)
  if (proto !== Object.prototype && proto !== null) return undefined
  // A sorted copy only where the record's objects are out of order (the record itself is left as given);
  // no walk at all for a record its builder knows to be canonical (about a tenth of the worker's time on
  // the bench records).
  const shaped = canonical ? record : canonicalShape(record)
  if (shaped === NOT_SHAPABLE || !knownKeys(Object.keys(shaped as object))) return undefined
  const s = shaped as Record<string, unknown>
  const prev = s.prev_hash
  const seq = s.seq
  if (typeof prev !== 'string' || typeof seq !== 'number') return undefined
  // One object literal per piece: V8 keeps them in fast mode and the native stringify omits `undefined`.
  const encJson = envelopeJson(s.enc)
  const a =
    encJson === undefined
      ? JSON.stringify({
          app: s.app,
          cost_usd: s.cost_usd,
          enc: s.enc,
          end_ts: s.end_ts,
          environment: s.environment,
          error: s.error,
        })
      : withMember(
          JSON.stringify({ app: s.app, cost_usd: s.cost_usd }),
          `"enc":${encJson}`,
          JSON.stringify({ end_ts: s.end_ts, environment: s.environment, error: s.error }),
        )
  if (a.length <= 2) return undefined
  return {
    a,
    b: JSON.stringify({
      id: s.id,
      latency_ms: s.latency_ms,
      metadata: s.metadata,
      operation: s.operation,
      parent_span_id: s.parent_span_id,
    }),
    c: JSON.stringify({
      prompt_hash: s.prompt_hash,
      provider: s.provider,
      redacted: s.redacted,
      redactions: s.redactions,
      request: s.request,
      response: s.response,
    }),
    d: JSON.stringify({
      session_id: s.session_id,
      signals: s.signals,
      span_id: s.span_id,
      status: s.status,
      stream: s.stream,
      tags: s.tags,
      trace_id: s.trace_id,
      ts: s.ts,
      ttft_ms: s.ttft_ms,
      usage: s.usage,
      user_id: s.user_id,
      v: s.v,
    }),
    prev: JSON.stringify(prev),
    seq: JSON.stringify(seq),
  }
}

/** The JSON object `{…head, member, …tail}` from the JSON objects `head` and `tail` and one member's text. */
function withMember(head: string, member: string, tail: string): string {
  const before = head.length > 2 ? `${head.slice(0, -1)},` : '{'
  return tail.length > 2 ? `${before}${member},${tail.slice(1)}` : `${before}${member}}`
}

/** An upper bound on the UTF-8 bytes `writeBody` writes for `p`. */
export function bodyBound(p: BodyParts): number {
  return (p.a.length + p.b.length + p.c.length + p.d.length + p.prev.length + p.seq.length) * 3 + 32
}

/**
 * Writes the body of `p` into `buf` at `at` (room for `bodyBound(p)` bytes) and returns its length in
 * bytes; `places` receives where `hash`, `prev_hash` and `seq` are.
 */
export function writeBody(p: BodyParts, buf: Buffer, at: number, places: BodyPlaces): number {
  // Each piece is written with its braces; the next one overwrites the closing brace, and its opening
  // brace becomes the comma between members. (One write of the joined string measured no faster: the
  // write flattens it into a copy first.)
  let end = at + buf.write(p.a, at, 'utf8') - 1
  places.hashAt = end - at
  end = writePiece(buf, end, p.b)
  end += buf.write(PREV_KEY, end, 'latin1')
  places.prevAt = end - at + 1
  end += buf.write(p.prev, end, 'utf8')
  end = writePiece(buf, end, p.c)
  end += buf.write(SEQ_KEY, end, 'latin1')
  places.seqAt = end - at
  end += buf.write(p.seq, end, 'latin1')
  end = writePiece(buf, end, p.d)
  buf[end] = 0x7d // }
  return end + 1 - at
}

/** Appends the members of one piece (`{…}`) after the members written up to `end`; returns the new end. */
function writePiece(buf: Buffer, end: number, piece: string): number {
  if (piece.length <= 2) return end
  const n = buf.write(piece, end, 'utf8')
  buf[end] = 0x2c // ,
  return end + n - 1
}
