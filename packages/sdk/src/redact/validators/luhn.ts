/**
 * Luhn (mod 10) check over the digits of `s`; other characters are skipped. Allocation-free.
 *
 * @example
 * luhn('4111 1111 1111 1111') // true
 */
export function luhn(s: string): boolean {
  let sum = 0
  let double = false
  let n = 0
  for (let i = s.length - 1; i >= 0; i--) {
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
