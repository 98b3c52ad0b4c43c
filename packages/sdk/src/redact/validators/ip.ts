import { isIPv6 } from 'node:net'

/**
 * Parses a dotted IPv4 address strictly: four decimal octets 0–255 without leading zeros.
 *
 * @example
 * isValidIpv4('192.168.0.1') // true; isValidIpv4('1.2.3.256') // false
 */
export function isValidIpv4(s: string): boolean {
  let parts = 0
  let value = 0
  let digits = 0
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46
    if (c === 46) {
      if (digits === 0 || value > 255) return false
      parts++
      value = 0
      digits = 0
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return false // leading zero
      value = value * 10 + (c - 48)
      digits++
      if (digits > 3) return false
    } else {
      return false
    }
  }
  return parts === 4
}

/**
 * Parses an IPv6 address with the platform parser, then rejects look-alikes: clock times and ratios (`10:22:11`)
 * whose groups are all short decimals, and addresses too sparse to identify anything (`::`, `::1`).
 *
 * @example
 * isValidIpv6('2001:db8::8a2e:370:7334') // true; isValidIpv6('10:22:11') // false
 */
export function isValidIpv6(s: string): boolean {
  if (!isIPv6(s)) return false
  let groups = 0
  let hexish = false
  let mapped = false // an IPv4 address written inside (`::ffff:81.2.69.160`): it identifies a host as much as alone
  for (const g of s.split(':')) {
    if (g.length === 0) continue
    groups++
    if (g.includes('.')) mapped = true
    if (g.length > 2 || /[a-f]/i.test(g) || g.includes('.')) hexish = true
  }
  return (groups >= 3 || (mapped && groups >= 2)) && hexish
}
