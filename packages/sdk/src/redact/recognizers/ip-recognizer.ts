import { contextWords, nearby } from '../context.js'
import { type Finding, NO_FINDINGS, type Recognizer } from '../recognizer.js'
import { DOTTED_QUAD, digitsEnd, firstDigitIndex, HEX_COLONS, textProfile } from '../text-profile.js'
import { isValidIpv4, isValidIpv6 } from '../validators/ip.js'

const V4 = /\d(?<![\w.]\d)\d{0,2}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?:\/\d{1,2})?(?![\w]|\.\d)/g
// Hex groups and colons, at most 8 groups with an optional trailing dotted quad; the parser decides.
const V6 = /(?<![\w:.])(?:[0-9A-Fa-f]{1,4}|:)(?::[0-9A-Fa-f]{0,4}){2,8}(?:\.\d{1,3}){0,3}(?:%[\w]{1,16})?(?![\w:.])/g
const VERSION = contextWords(['version', 'ver', 'release', 'v'])

/** Text-profile bits of which a text must hold one for this recognizer to find anything (the engine reads it). */
export const IP_GATE = DOTTED_QUAD | HEX_COLONS

/**
 * IP_ADDRESS: IPv4 parsed strictly (octets 0–255, no leading zeros) and IPv6 parsed by the platform parser, with
 * clock times and sparse forms rejected. "version 1.2.3.4" is not an address.
 *
 * @example
 * ipRecognizer.find('from 203.0.113.9') // one IP_ADDRESS finding
 */
export const ipRecognizer: Recognizer = {
  name: 'ip',
  entities: ['IP_ADDRESS'],
  find(text: string): readonly Finding[] {
    // The shared profile says whether `d.d.d.d` or `:hex:` stands anywhere; most texts have neither.
    const profile = textProfile(text)
    if ((profile & IP_GATE) === 0) return NO_FINDINGS
    const out: Finding[] = []
    if (profile & DOTTED_QUAD) {
      // A match opens on a digit: the search runs from the text's first digit to its last (text-profile.ts).
      V4.lastIndex = firstDigitIndex()
      const last = digitsEnd()
      for (let m = V4.exec(text); m !== null; m = V4.lastIndex < last ? V4.exec(text) : null) {
        const slash = m[0].indexOf('/')
        const addr = slash === -1 ? m[0] : m[0].slice(0, slash)
        // Loopback and the unspecified address identify no one.
        if (!isValidIpv4(addr) || addr.startsWith('127.') || addr === '0.0.0.0') continue
        const start = m.index
        const end = start + m[0].length
        const score = nearby(text, start, end, VERSION, 12, 0) ? 0.3 : 0.9
        out.push({ type: 'IP_ADDRESS', start, end, score, recognizer: 'ip' })
      }
    }
    // Two colons with at most four hex digits between them.
    if (profile & HEX_COLONS) {
      V6.lastIndex = 0
      for (let m = V6.exec(text); m !== null; m = V6.exec(text)) {
        const pct = m[0].indexOf('%')
        if (!isValidIpv6(pct === -1 ? m[0] : m[0].slice(0, pct))) continue
        out.push({ type: 'IP_ADDRESS', start: m.index, end: m.index + m[0].length, score: 0.9, recognizer: 'ip' })
      }
    }
    return out
  },
}
