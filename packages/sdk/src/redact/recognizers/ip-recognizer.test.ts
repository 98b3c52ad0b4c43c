import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Finding } from '../recognizer.js'
import { isValidIpv4, isValidIpv6 } from '../validators/ip.js'
import { ipRecognizer } from './ip-recognizer.js'

// The recognizer as it was written before it read the text profile's positions: both patterns searched globally
// from the start of the text.
const V4 = /\d(?<![\w.]\d)\d{0,2}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?:\/\d{1,2})?(?![\w]|\.\d)/g
const V6 =
  /(?<![\w:.])(?:[0-9A-Fa-f]{1,4}|:)(?::[0-9A-Fa-f]{0,4}){2,8}(?:\.\d{1,3}){0,3}(?:%[\w]{1,16})?(?![\w:]|\.\w)/g
const VERSION = /(?<![A-Za-z<_])(?:version|ver|release|v)(?![a-z])/i

function reference(text: string): Finding[] {
  const out: Finding[] = []
  for (const m of text.matchAll(V4)) {
    const slash = m[0].indexOf('/')
    const addr = slash === -1 ? m[0] : m[0].slice(0, slash)
    if (!isValidIpv4(addr) || addr.startsWith('127.') || addr === '0.0.0.0') continue
    // A network's own address (host bits zero under its prefix) names no host.
    if (slash !== -1) {
      const prefix = Number(m[0].slice(slash + 1))
      const value = addr.split('.').reduce((v, part) => v * 256 + Number(part), 0)
      if (prefix < 32 && value % 2 ** (32 - prefix) === 0) continue
    }
    const start = m.index
    const score = VERSION.test(text.slice(Math.max(0, start - 12), start)) ? 0.3 : 0.9
    out.push({ type: 'IP_ADDRESS', start, end: start + m[0].length, score, recognizer: 'ip' })
  }
  for (const m of text.matchAll(V6)) {
    const pct = m[0].indexOf('%')
    if (!isValidIpv6(pct === -1 ? m[0] : m[0].slice(0, pct))) continue
    out.push({ type: 'IP_ADDRESS', start: m.index, end: m.index + m[0].length, score: 0.9, recognizer: 'ip' })
  }
  return out
}

// Hex groups, digits, colons, dots and what borders them: clock times, log lines, zone ids, versions.
const piece = fc.constantFrom(
  ...['1', '10', '22', '255', '0', '127', '2001', 'db8', 'fe80', 'abcd', 'ffff', 'g', 'x', 'T', 'Z', 'v'],
  ...[':', '::', '.', ' ', '%', 'eth0', '/', '24', '-', '_', '=', 'src=', 'version ', 'at ', '\n', 'é'],
)
const text = fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(''))

describe('ip recognizer', () => {
  it('finds what the global searches from the start of the text find', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(ipRecognizer.find(t), JSON.stringify(t)).toEqual(reference(t))
      }),
      { numRuns: 20000 },
    )
  })

  it('reads log lines, addresses after a clock time and texts with many colons', () => {
    const log = 'Log line: 2025-03-01T10:22:11Z login ok src=2001:db8::8a2e:370:7334 dst=10.0.0.7'
    expect(ipRecognizer.find(log)).toEqual(reference(log))
    expect(ipRecognizer.find(log).map((f) => log.slice(f.start, f.end))).toEqual([
      '10.0.0.7',
      '2001:db8::8a2e:370:7334',
    ])
    // More `:hex:` pairs than the profile records: the global search.
    const many = `${Array.from({ length: 20 }, (_, i) => `t${i} 10:${i}:59`).join(' ')} fe80::1:2:3`
    expect(ipRecognizer.find(many)).toEqual(reference(many))
    expect(ipRecognizer.find(many)).toHaveLength(1)
  })

  it('takes an IPv6 address that ends a sentence, and an IPv4 address written inside one', () => {
    const found = (t: string) => ipRecognizer.find(t).map((f) => t.slice(f.start, f.end))
    expect(found('Please block fe80::1ff:fe23:4567:890a.')).toEqual(['fe80::1ff:fe23:4567:890a'])
    expect(found('The check fails on 2001:db8:85a3:0:0:8a2e:370:7334. Then')).toEqual([
      '2001:db8:85a3:0:0:8a2e:370:7334',
    ])
    expect(found('Client ::ffff:81.2.69.160 hit us')).toContain('::ffff:81.2.69.160')
    // A dot before a letter still joins a host name: no address there.
    expect(found('see 2001:db8::1.example')).toEqual([])
    expect(found('at 10:22:11.')).toEqual([])
  })
})
