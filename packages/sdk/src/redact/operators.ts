import { createHmac } from 'node:crypto'
import { PromptLedgerError } from '../errors.js'
import type { OperatorName } from './redactor.js'

/** Writes the stored replacement for one finding. */
export type Operator = (value: string, type: string) => string

/** `<TYPE>`: the default; never re-detected because tokens are skipped by the engine. */
export const replaceOperator: Operator = (_value, type) => `<${type}>`

/** Drops the value entirely. */
export const dropOperator: Operator = () => ''

/**
 * Masks letters and digits with `*`. A card keeps its last four digits; the masked form can never be a new valid
 * card because it holds at most four digits.
 */
export const maskOperator: Operator = (value, type) => {
  const keep = type === 'CREDIT_CARD' ? 4 : 0
  let digitsSeen = 0
  let totalDigits = 0
  if (keep > 0) for (let i = 0; i < value.length; i++) if (isDigit(value.charCodeAt(i))) totalDigits++
  let out = ''
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (isDigit(c)) {
      digitsSeen++
      out += digitsSeen > totalDigits - keep ? value[i] : '*'
    } else if (isLetter(c)) {
      out += '*'
    } else {
      out += value[i]
    }
  }
  return out
}

/**
 * Keyed pseudonym `<TYPE_0123456789ab>`: the same value under the same key always maps to the same token, so one
 * person can be followed across records without being identified. 48 bits of HMAC-SHA-256.
 */
export function hmacOperator(key: Buffer): Operator {
  return (value, type) => `<${type}_${createHmac('sha256', key).update(value).digest('hex').slice(0, 12)}>`
}

/** Builds the operator for a name. */
export function operatorFor(name: OperatorName, hmacKey: Buffer | undefined): Operator {
  switch (name) {
    case 'replace':
      return replaceOperator
    case 'drop':
      return dropOperator
    case 'mask':
      return maskOperator
    case 'hmac':
      if (!hmacKey || hmacKey.length === 0) {
        throw new PromptLedgerError('CONFIG_INVALID', 'operators: the hmac operator needs a non-empty hmacKey')
      }
      return hmacOperator(hmacKey)
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 0xbf
}
