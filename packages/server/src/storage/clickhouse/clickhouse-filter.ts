import { EQUAL_COLUMNS, searchWords, timeMs } from '../backend-common.js'
import type { RecordFilter } from '../storage.js'
import { sqlInt, sqlString } from './clickhouse-sql.js'

/**
 * The `search` column of a record: its distinct words between single spaces, with a space at each end, so a word is
 * found whole by looking for it with a space on either side (a byte search ClickHouse runs fast on any version).
 *
 * @example
 * searchDocument('Refund, refund: approved') // ' refund approved '
 */
export function searchDocument(text: string): string {
  const words = new Set(searchWords(text))
  return words.size === 0 ? '' : ` ${[...words].join(' ')} `
}

/**
 * SQL conditions over the records table for a filter. `q` needs every word (whole words, case and accents ignored),
 * as on the other backends.
 *
 * @example
 * filterWhere({ model: 'gpt-4o', q: 'refund' }) // ["model = 'gpt-4o'", "position(search, ' refund ') > 0"]
 */
export function filterWhere(filter: RecordFilter): string[] {
  const clauses: string[] = []
  if (filter.from !== undefined) clauses.push(`ts >= ${sqlInt(timeMs(filter.from, 'from'))}`)
  if (filter.to !== undefined) clauses.push(`ts < ${sqlInt(timeMs(filter.to, 'to'))}`)
  for (const [key, column] of EQUAL_COLUMNS) {
    const value = filter[key]
    if (value !== undefined) clauses.push(`${column} = ${sqlString(value)}`)
  }
  if (filter.tag !== undefined) clauses.push(`has(tags, ${sqlString(filter.tag)})`)
  if (filter.q !== undefined) {
    for (const word of new Set(searchWords(filter.q))) clauses.push(`position(search, ${sqlString(` ${word} `)}) > 0`)
  }
  return clauses
}

/** `WHERE …` for the clauses, or nothing. */
export function whereSql(clauses: readonly string[]): string {
  return clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''
}
