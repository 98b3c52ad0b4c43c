import { contextWords, nearby } from '../context.js'
import { type Finding, NO_FINDINGS, type Recognizer } from '../recognizer.js'
import { DOTTED_QUAD, digitsEnd, firstQuadIndex, HEX_COLONS, hexColonStarts, textProfile } from '../text-profile.js'
import { isValidIpv4, isValidIpv6 } from '../validators/ip.js'

const V4 = /\d(?<![\w.]\d)\d{0,2}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?:\/\d{1,2})?(?![\w]|\.\d)/g
// Hex groups and colons, at most 8 groups with an optional trailing dotted quad; the parser decides. A dot may follow
// when no digit does: the full stop of a sentence that ends with the address.
const V6 =
  /(?<![\w:.])(?:[0-9A-Fa-f]{1,4}|:)(?::[0-9A-Fa-f]{0,4}){2,8}(?:\.\d{1,3}){0,3}(?:%[\w]{1,16})?(?![\w:]|\.\w)/g
// V6 tried at one position only. The global form tries every position of the text (its look-behind comes first, so
// V8 has no first character to skip to): about 0.8 µs on a 90-character log line that holds a clock time.
const V6_AT = new RegExp(V6.source, 'y')
const VERSION = contextWords(['version', 'ver', 'release', 'v'])
// Version words of the languages the engine reads, a few words before: "version logicielle 4.12.0.7", "Versione del
// servizio 3.4.1.12", "versión 2.0.1.4".
const VERSION_WORDS = contextWords(['version', 'versions', 'versione', 'versión', 'versão', 'versie', 'wersja'])
// A key or label that ends in a version word right before the number: "FileVersion 10.4.0.1", "app_version=5.2.0.18".
const VERSION_KEY = /(?:version|release|build)["']?[ \t]*[:=]?[ \t]*["']?$/i
// A markdown table's header cell naming versions ("| Version | Date |").
const VERSION_HEADER = /^\s*(?:version|versions|release|build|versione|versión|versão|versie)\s*$/i

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
      // A match opens on the first of four dot-joined digit groups: the search runs from the first such chain to the
      // text's last digit (text-profile.ts).
      V4.lastIndex = firstQuadIndex()
      const last = digitsEnd()
      for (let m = V4.exec(text); m !== null; m = V4.lastIndex < last ? V4.exec(text) : null) {
        const slash = m[0].indexOf('/')
        const addr = slash === -1 ? m[0] : m[0].slice(0, slash)
        // Loopback, the unspecified address and a network's own address (10.0.0.0/16) identify no one.
        if (!isValidIpv4(addr) || addr.startsWith('127.') || addr === '0.0.0.0') continue
        if (slash !== -1 && isNetwork(addr, Number(m[0].slice(slash + 1)))) continue
        const start = m.index
        const end = start + m[0].length
        // Four numbers that number a version ("version 10.4.0.1", "FileVersion 10.4.0.1", a table's Version column).
        if (versionBefore(text, start)) continue
        const score = nearby(text, start, end, VERSION, 12, 0) ? 0.3 : 0.9
        out.push({ type: 'IP_ADDRESS', start, end, score, recognizer: 'ip' })
      }
    }
    // Two colons with at most four hex digits between them.
    if (profile & HEX_COLONS) findV6(text, out)
    return out
  },
}

/**
 * Adds the IPv6 addresses, as V6's global search finds them. A match opens with one to four hex digits or a colon,
 * then `:hex{0,4}:`, so it starts at most four characters before one of the first colons the text profile recorded:
 * only those positions are tried, in order, each going on after the previous match as the global search does.
 */
function findV6(text: string, out: Finding[]): void {
  const { starts, count } = hexColonStarts()
  if (count < 0) {
    V6.lastIndex = 0
    for (let m = V6.exec(text); m !== null; m = V6.exec(text)) addV6(m, out)
    return
  }
  let next = 0 // positions before it are tried or inside a match
  for (let q = 0; q < count; q++) {
    const colon = starts[q]!
    for (let at = Math.max(next, colon - 4); at <= colon; at++) {
      // The pattern's look-behind and first character, read before the call.
      if (!opensV6(text, at)) continue
      V6_AT.lastIndex = at
      const m = V6_AT.exec(text)
      if (m === null) continue
      addV6(m, out)
      next = at + m[0].length
      at = next - 1
    }
    if (next <= colon) next = colon + 1
  }
}

/** The dotted quad at `start` is a version by what stands before it on its line (see VERSION_KEY, VERSION_HEADER). */
function versionBefore(text: string, start: number): boolean {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1
  const from = Math.max(lineStart, start - 32)
  const before = text.slice(from, start)
  if (VERSION_KEY.test(before) || VERSION_WORDS.test(before)) return true
  if (text.charCodeAt(lineStart) !== 124) return false
  const header = tableHeader(text, lineStart, start)
  return header !== null && VERSION_HEADER.test(header)
}

/**
 * The header cell above `at` in a markdown table whose row opens at `lineStart` with `|`: the table's first line's
 * cell in the same column, or null when the table cannot be read so.
 */
function tableHeader(text: string, lineStart: number, at: number): string | null {
  let column = 0
  for (let i = text.indexOf('|', lineStart); i !== -1 && i < at; i = text.indexOf('|', i + 1)) column++
  // Up the table's lines, each opening with `|`, to its first.
  let first = lineStart
  for (let n = 0; n < 200 && first > 0; n++) {
    const prev = text.lastIndexOf('\n', first - 2) + 1
    if (text.charCodeAt(prev) !== 124) break
    first = prev
  }
  if (first === lineStart) return null
  const lineEnd = text.indexOf('\n', first)
  const cells = text.slice(first, lineEnd === -1 ? text.length : lineEnd).split('|')
  return cells[column] ?? null
}

/** Whether `addr`/`prefix` is a network, not a host: a prefix below 32 and every host bit zero. */
function isNetwork(addr: string, prefix: number): boolean {
  if (!(prefix < 32)) return false
  let value = 0
  for (const part of addr.split('.')) value = value * 256 + Number(part)
  const hosts = 2 ** (32 - prefix)
  return value % hosts === 0
}

/** A V6 match may open at `at`: a hex digit or colon, after no word character, colon or dot. */
function opensV6(text: string, at: number): boolean {
  const c = text.charCodeAt(at)
  if (!(c === 58 || (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102))) return false
  if (at === 0) return true
  const p = text.charCodeAt(at - 1)
  return !((p >= 48 && p <= 57) || ((p | 32) >= 97 && (p | 32) <= 122) || p === 95 || p === 58 || p === 46)
}

function addV6(m: RegExpExecArray, out: Finding[]): void {
  const pct = m[0].indexOf('%')
  if (!isValidIpv6(pct === -1 ? m[0] : m[0].slice(0, pct))) return
  out.push({ type: 'IP_ADDRESS', start: m.index, end: m.index + m[0].length, score: 0.9, recognizer: 'ip' })
}
