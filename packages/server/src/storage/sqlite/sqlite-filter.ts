import { ServerError } from '../../errors.js'
import { EQUAL_COLUMNS, timeMs } from '../backend-common.js'
import type { RecordFilter } from '../storage.js'
import { ROWID_PER_MS } from './sqlite-schema.js'

export interface SqlWhere {
  /** Conditions over `r` (the records table), joined with AND; empty when unfiltered. */
  clauses: string[]
  params: unknown[]
}

/** The rowid of the first record at or after `ms` (rowids are time-ordered, see sqlite-schema.ts). */
export function rowidAt(ms: number): number {
  return ms * ROWID_PER_MS
}

/**
 * Turns a filter into SQL conditions. Time bounds become rowid bounds so SQLite walks the primary key
 * (or a filter index, whose entries end in rowid) instead of sorting.
 */
export function filterWhere(filter: RecordFilter): SqlWhere {
  const clauses: string[] = []
  const params: unknown[] = []
  if (filter.from !== undefined) {
    clauses.push('r.rowid >= ?')
    params.push(rowidAt(timeMs(filter.from, 'from')))
  }
  if (filter.to !== undefined) {
    clauses.push('r.rowid < ?')
    params.push(rowidAt(timeMs(filter.to, 'to')))
  }
  for (const [key, column] of EQUAL_COLUMNS) {
    const value = filter[key]
    if (value !== undefined) {
      clauses.push(`r.${column} = ?`)
      params.push(value)
    }
  }
  if (filter.tag !== undefined) {
    clauses.push('r.rowid IN (SELECT rid FROM record_tags WHERE tag = ?)')
    params.push(filter.tag)
  }
  return { clauses, params }
}

/**
 * A user's search words as an FTS5 query: each word quoted (so operators and syntax characters in the
 * input are plain text), all words required. Words are split where the index's tokenizer (unicode61) splits
 * them, `_` included: the index keeps no token positions (`detail=none`, see sqlite-schema.ts), so every
 * quoted string must be one token. Returns null when there is nothing to search for.
 */
export function ftsQuery(q: string): string | null {
  const words = q.match(/[\p{L}\p{N}]+/gu)
  if (!words || words.length === 0) return null
  return words
    .slice(0, 32)
    .map((w) => `"${w}"`)
    .join(' ')
}

export function encodeCursor(rowid: number): string {
  return rowid.toString(36)
}

export function decodeCursor(cursor: string): number {
  const rowid = /^-?[0-9a-z]{1,13}$/.test(cursor) ? Number.parseInt(cursor, 36) : Number.NaN
  if (!Number.isSafeInteger(rowid)) throw new ServerError('BAD_REQUEST', 'cursor is not valid', { path: 'cursor' })
  return rowid
}
