/**
 * Values written into ClickHouse SQL text. ClickHouse 18.16 has no query parameters (`{name:Type}` came in 19.15), so
 * every value a query compares with is a literal made here: strings quoted and escaped, numbers checked to be
 * integers, names checked against a closed alphabet.
 */

import { STORE_NAME } from '../backend-common.js'

/** A lone UTF-16 surrogate: JSON and UTF-8 cannot carry one, and ClickHouse refuses a batch that holds one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * The text with each lone surrogate replaced by U+FFFD, as Node's UTF-8 encoder (and so the PostgreSQL driver)
 * writes it: a value is then stored and compared the same way on every path.
 *
 * @example
 * wellFormed('a\uD800b') // 'a\uFFFDb'
 */
export function wellFormed(value: string): string {
  return value.replace(LONE_SURROGATE, '\uFFFD')
}

/**
 * A ClickHouse string literal: quoted, with backslash, quote and NUL escaped (ClickHouse reads backslash escapes in
 * string literals, so a backslash left alone would change the value).
 *
 * @example
 * sqlString("it's") // "'it\\'s'"
 */
export function sqlString(value: string): string {
  const escaped = wellFormed(value).replace(/[\\']/g, (c) => `\\${c}`)
  return `'${escaped.includes('\0') ? escaped.replaceAll('\0', '\\0') : escaped}'`
}

/**
 * A ClickHouse integer literal; anything but a safe integer is a programming error, never sent.
 *
 * @example
 * sqlInt(1767225600000) // '1767225600000'
 */
export function sqlInt(value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`)
  return String(value)
}

/**
 * A database name as an SQL identifier: lower-case letters, digits and `_` (the collector's `storageSchema` rule),
 * back-quoted.
 *
 * @example
 * quoteDatabase('promptledger') // '`promptledger`'
 */
export function quoteDatabase(name: string): string {
  if (!STORE_NAME.test(name)) {
    throw new RangeError(`clickhouse database name ${JSON.stringify(name)}: use lower-case letters, digits and _`)
  }
  return `\`${name}\``
}

/**
 * The ClickHouse error code of a failed query, when the server gave one. The client parses the code of current
 * servers' messages (`Code: 57. DB::Exception…`) but not of 18.16's (`Code: 57, e.displayText() = …`), hence the
 * message fallback.
 *
 * @example
 * clickhouseErrorCode(new Error('Code: 57, e.displayText() = DB::Exception: Table … already exists')) // 57
 */
export function clickhouseErrorCode(err: unknown): number | null {
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code)
  const match = /^Code: (\d+)[.,]/.exec(String((err as Error | null)?.message ?? ''))
  return match ? Number(match[1]) : null
}
