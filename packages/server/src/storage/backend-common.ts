import { ServerError } from '../errors.js'
import type { RecordFilter } from './storage.js'

/**
 * Characters of a record's text that reach its search words: PostgreSQL refuses a tsvector over 1 MB, and every
 * backend indexes the same prefix so a record is found by the same words on each; the rest of a record that large is
 * not searchable.
 */
export const MAX_SEARCH_CHARS = 256 * 1024
/**
 * Longest word that is indexed or searched: PostgreSQL refuses a lexeme over 2,046 bytes (a whole batch would fail on
 * one base64 blob), and no one searches for a word that long.
 */
const MAX_WORD_CHARS = 255

/**
 * The words of a text as both sides of a search see them on the PostgreSQL and ClickHouse backends: runs of letters
 * and digits (as SQLite's unicode61 tokenizer splits them, so a host name or an address is found by its parts),
 * lower-cased, without diacritics.
 *
 * @example
 * searchWords('Ask Křenová about api.example.internal') // ['ask', 'krenova', 'about', 'api', 'example', 'internal']
 */
export function searchWords(text: string): string[] {
  return (
    text
      .slice(0, MAX_SEARCH_CHARS)
      .toLowerCase()
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .match(/[\p{L}\p{N}]+/gu)
      ?.filter((w) => w.length <= MAX_WORD_CHARS) ?? []
  )
}

/**
 * A shared store's schema (PostgreSQL) or database (ClickHouse) name: lower-case letters, digits and `_`, at most 63
 * characters, so that it is a valid identifier on both, quoted or not.
 */
export const STORE_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return '(an unparsable URL)'
  }
}

/** A search with no word in it (only punctuation) finds nothing, on every backend. */
export function emptySearch(filter: RecordFilter): boolean {
  return filter.q !== undefined && searchWords(filter.q).length === 0
}

/** A page's position on the PostgreSQL and ClickHouse backends: the last record's time and id, opaque to clients. */
export function encodeCursor(ts: number, id: string): string {
  return Buffer.from(JSON.stringify([ts, id])).toString('base64url')
}

/** The time and id of `encodeCursor`; a 400-class error naming `cursor` for anything else. */
export function decodeCursor(cursor: string): [number, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
    if (Array.isArray(value) && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') {
      return [value[0] as number, value[1] as string]
    }
  } catch {
    // Not JSON: falls through to the error below.
  }
  throw new ServerError('BAD_REQUEST', 'cursor is not valid', { path: 'cursor' })
}

/** Epoch milliseconds of an ISO-8601 time given for `field`; a 400-class error naming the field otherwise. */
export function timeMs(value: string, field: string): number {
  const ms = isoTimeMs(value)
  if (ms === null) throw new ServerError('BAD_REQUEST', `${field} is not an ISO-8601 time`, { path: field })
  return ms
}

// A date, or a date and time (seconds and fraction optional) with `Z` or an offset; `T` or a space between.
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i

/**
 * Epoch milliseconds of an ISO-8601 date or date-time, or null. Stricter than `Date.parse`, which takes `1`, `Feb 30
 * 2026` and `2026-02-30` (rolled into March): a filter bound must mean what it says.
 *
 * @example
 * isoTimeMs('2026-11-28T10:00:00Z') // 1795860000000; isoTimeMs('2026-02-30') // null
 */
export function isoTimeMs(value: string): number | null {
  const m = ISO_TIME.exec(value)
  if (m === null) return null
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return null
  const ms = Date.parse(value.replace(' ', 'T'))
  return Number.isNaN(ms) ? null : ms
}

/** The record columns that `RecordFilter`'s equality fields compare with, on every backend. */
export const EQUAL_COLUMNS: ReadonlyArray<[keyof RecordFilter, string]> = [
  ['model', 'model'],
  ['provider', 'provider'],
  ['userId', 'user_id'],
  ['sessionId', 'session_id'],
  ['status', 'status'],
  ['app', 'app'],
]
