/**
 * Luhn (mod 10) check over the digits of `s` (or of s[from, to)); other characters are skipped. Allocation-free, and
 * the range lets a caller check part of a text without slicing it.
 *
 * @example
 * luhn('4111 1111 1111 1111') // true
 * luhn('card 4111 1111 1111 1111', 5, 24) // true
 */
export function luhn(s: string, from = 0, to = s.length): boolean {
  let sum = 0
  let double = false
  let n = 0
  for (let i = to - 1; i >= from; i--) {
    const c = s.charCodeAt(i) - 48
    if (c < 0 || c > 9) continue
    n++
    let d = c
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return n > 0 && sum % 10 === 0
}
