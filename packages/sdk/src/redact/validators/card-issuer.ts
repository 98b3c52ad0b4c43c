/**
 * True when a digit string has the prefix and length of a known card issuer (Visa, Mastercard including
 * 2221–2720, Amex, Discover, Diners, JCB, UnionPay, Maestro). Order and tracking numbers mostly fail here.
 *
 * @example
 * cardIssuer('378282246310005') // 'amex'
 */
export function cardIssuer(digits: string): string | null {
  const len = digits.length
  const p1 = digits.charCodeAt(0) - 48
  const p2 = p1 * 10 + digits.charCodeAt(1) - 48
  const p3 = p2 * 10 + digits.charCodeAt(2) - 48
  const p4 = p3 * 10 + digits.charCodeAt(3) - 48
  if (p1 === 4) return len === 13 || len === 16 || len === 19 ? 'visa' : null
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return len === 16 ? 'mastercard' : null
  if (p2 === 34 || p2 === 37) return len === 15 ? 'amex' : null
  if (p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65) return len >= 16 && len <= 19 ? 'discover' : null
  if ((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39 || p3 === 309) {
    return len >= 14 && len <= 19 ? 'diners' : null
  }
  if (p4 >= 3528 && p4 <= 3589) return len >= 16 && len <= 19 ? 'jcb' : null
  if (p4 === 2131 || p4 === 1800) return len === 15 ? 'jcb' : null
  if (p2 === 62) return len >= 16 && len <= 19 ? 'unionpay' : null
  if (p2 === 50 || (p2 >= 56 && p2 <= 69)) return len >= 12 && len <= 19 ? 'maestro' : null
  return null
}
