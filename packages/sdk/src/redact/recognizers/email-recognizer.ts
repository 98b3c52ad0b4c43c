import { type Finding, NO_FINDINGS, type Recognizer } from '../recognizer.js'
import { AT, DIGIT, DOT_WORD, textProfile } from '../text-profile.js'

// Characters allowed in the local part: RFC 5322's atext plus dots, without the ones that separate a URL's parts
// (`/ ? & = #`): an address in a query string (`?email=ana@example.com`) starts after the `=`, not at the host.
const LOCAL = new Uint8Array(128)
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!$%'*+^_`{|}~-")
  LOCAL[c.charCodeAt(0)] = 1
// Sticky: anchored at the character after '@'. Labels are bounded and separated by a literal dot, so it is linear.
const DOMAIN = /(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-]|\.[A-Za-z0-9])/y

/**
 * Whether the local part at `start` is the password of a URL's credentials (`postgres://admin:S3cret@db.internal`):
 * a colon before it, then a user (possibly empty) back to `://`. That is a secret, found by the secret recognizer,
 * and the host after it is no mail domain.
 */
function inUrlCredentials(text: string, start: number): boolean {
  if (start < 4 || text.charCodeAt(start - 1) !== 58) return false
  let k = start - 2
  // The user part as URL_CREDENTIALS reads it: no whitespace, `/`, `:`, `@` or quotes, at most 128 characters.
  while (k >= 0 && start - k <= 130) {
    const c = text.charCodeAt(k)
    if (c === 32 || c === 9 || c === 10 || c === 47 || c === 58 || c === 64 || c === 34 || c === 39) break
    k--
  }
  return k >= 2 && text.charCodeAt(k) === 47 && text.charCodeAt(k - 1) === 47 && text.charCodeAt(k - 2) === 58
}

/**
 * Text-profile bits of which a text must hold one for this recognizer to find anything (the engine reads it): an `@`,
 * a digit for a percent-encoded one (`%40`), or the word `dot` for one spelled out.
 */
export const EMAIL_GATE = AT | DIGIT | DOT_WORD

// An address spelled out so that scrapers miss it: `ana.lopez [at] example [dot] com`, `ana(at)example(dot)org` (the
// bracketed `at` says it all), and `anna dot schmidt at gmail dot com` in words, which needs a dotted local part or mail
// context before it and a common top-level domain, so that "looked at example dot com" is none. Linear: every
// repetition is bounded and opens on a fixed separator.
const SPELLED_BRACKETED =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}[ ]{0,2}[[({][ ]?at[ ]?[\])}][ ]{0,2}[A-Za-z0-9-]{1,63}(?:[ ]{0,2}(?:[[({][ ]?dot[ ]?[\])}]|\.)[ ]{0,2}[A-Za-z0-9-]{1,63}){1,4}(?![A-Za-z0-9-])/gi
const SPELLED_WORDS =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9_%+-]{1,64}((?: dot [A-Za-z0-9_%+-]{1,64}){0,3}) at [A-Za-z0-9-]{1,63}(?: dot [A-Za-z0-9-]{1,63}){0,3} dot (?:com|org|net|edu|gov|io|co|uk|de|fr|es|it|nl|be|ch|at|ca|au|br|mx|jp|in|us|info|biz|me|ai|dev)(?![A-Za-z0-9-])/gi
const MAIL_CONTEXT = /e-?mail|mail|contact|write|reach|address|correo|courriel/i

/**
 * EMAIL_ADDRESS. Fast path: jumps from one '@' to the next with indexOf and scans the local part backwards with a
 * lookup table, so text without '@' costs one indexOf and no regex runs at all.
 *
 * @example
 * emailRecognizer.find('mail ana@example.com') // [{ type: 'EMAIL_ADDRESS', start: 5, end: 20, score: 1 }]
 */
export const emailRecognizer: Recognizer = {
  name: 'email',
  entities: ['EMAIL_ADDRESS'],
  find(text: string): readonly Finding[] {
    const profile = textProfile(text)
    if ((profile & EMAIL_GATE) === 0) return NO_FINDINGS
    let out: readonly Finding[] = (profile & AT) === 0 ? NO_FINDINGS : findPlain(text)
    // An address in a URL or form body arrives percent-encoded (`ana.lopez%40example.com`): found apart, rarely there.
    const encoded = (profile & DIGIT) !== 0 ? text.indexOf('%40') : -1
    if (encoded !== -1) out = findEncoded(text, encoded, out.slice())
    if ((profile & DOT_WORD) !== 0) out = findSpelled(text, out.slice())
    return out
  },
}

/**
 * Where the local part before the `@` (or `%40`) at `at` starts, scanning back no further than `floor` with the LOCAL
 * table; `at` when there is none. A local part does not start with a dot, and quotes around an address are not part of
 * it (a URL's slash already ends the scan: LOCAL leaves it out).
 */
function localPartStart(text: string, at: number, floor: number): number {
  let start = at
  while (start > floor) {
    const c = text.charCodeAt(start - 1)
    if (c >= 128 || LOCAL[c] === 0) break
    start--
  }
  while (start < at && (text.charCodeAt(start) === 46 || text.charCodeAt(start) === 39)) start++
  return start
}

/** Addresses with an `@`, found from each `@` (see the recognizer). */
function findPlain(text: string): readonly Finding[] {
  const out: Finding[] = []
  let lastEnd = 0
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    if (at < lastEnd) continue
    const start = localPartStart(text, at, Math.max(lastEnd, at - 64))
    if (start === at || inUrlCredentials(text, start)) continue
    DOMAIN.lastIndex = at + 1
    // test(), not exec(): a sticky match leaves its end in lastIndex, and no match array is allocated.
    if (!DOMAIN.test(text)) continue
    const end = DOMAIN.lastIndex
    out.push({ type: 'EMAIL_ADDRESS', start, end, score: 1, recognizer: 'email' })
    lastEnd = end
  }
  return out
}

/** Addresses spelled out with `[at]`/`(at)` or in words (see SPELLED_BRACKETED, SPELLED_WORDS), added to `out`. */
function findSpelled(text: string, out: Finding[]): readonly Finding[] {
  const before = out.length
  SPELLED_BRACKETED.lastIndex = 0
  for (let m = SPELLED_BRACKETED.exec(text); m !== null; m = SPELLED_BRACKETED.exec(text)) {
    out.push({ type: 'EMAIL_ADDRESS', start: m.index, end: m.index + m[0].length, score: 0.9, recognizer: 'email' })
  }
  SPELLED_WORDS.lastIndex = 0
  for (let m = SPELLED_WORDS.exec(text); m !== null; m = SPELLED_WORDS.exec(text)) {
    if (m[1] === '' && !MAIL_CONTEXT.test(text.slice(Math.max(0, m.index - 80), m.index))) continue
    out.push({ type: 'EMAIL_ADDRESS', start: m.index, end: m.index + m[0].length, score: 0.8, recognizer: 'email' })
  }
  if (out.length > before) out.sort((a, b) => a.start - b.start)
  return out
}

/**
 * Addresses whose `@` is written `%40`, from the first such at `from`, added to `out` (kept in order of start). The
 * local part may hold other escapes (`%2B` for `+`); the domain is read as for a plain address.
 */
function findEncoded(text: string, from: number, out: Finding[]): readonly Finding[] {
  let added = false
  for (let at = from; at !== -1; at = text.indexOf('%40', at + 3)) {
    const start = localPartStart(text, at, Math.max(0, at - 96))
    if (start === at) continue
    DOMAIN.lastIndex = at + 3
    if (!DOMAIN.test(text)) continue
    out.push({ type: 'EMAIL_ADDRESS', start, end: DOMAIN.lastIndex, score: 1, recognizer: 'email' })
    added = true
  }
  if (added) out.sort((a, b) => a.start - b.start)
  return out
}
