import { contextWords, nearby } from '../context.js'
import { type Finding, NO_FINDINGS, type Recognizer } from '../recognizer.js'
import { SEVEN_DIGITS, textProfile } from '../text-profile.js'

// Digit groups joined by single separators, with an optional `+CC` and `(area)` in front and an extension behind.
// Separators are mandatory between groups, so there is one way to split a run: the scan is linear.
const GROUPED =
  /(?<![\w+.\-/])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d{1,15}(?:[ .-]\d{1,10}){0,5}(?:[ ]?(?:x|ext\.?|extension)[ ]?\d{1,6})?(?![\w\-/]|[.,:]\d)/g
const CONTEXT = contextWords([
  'phone',
  'tel',
  'telephone',
  'mobile',
  'cell',
  'call',
  'called',
  'calling',
  'fax',
  'contact',
  'reach',
  'whatsapp',
  'sms',
  'text me',
  'dial',
  'ring',
  'hotline',
  'landline',
  'ph',
  'mob',
  'number is',
  'extension',
  'messages',
  'message',
  'answering',
  'registered',
  'office',
  'desk',
  'home',
  'work',
  'reach me',
  'txt',
  'voicemail',
  'tel.',
  'phone no',
])
const NEGATIVE = contextWords([
  'order',
  'tracking',
  'invoice',
  'ticket',
  'request id',
  'account',
  'ref',
  'reference',
  'serial',
  'version',
  'isbn',
  'room',
  'sku',
  'zip',
  'postcode',
  'postal',
])
const EMBEDDED_DATE = /\d{4}[-./]\d{2}[-./]\d{2}|\d{2}[-./]\d{2}[-./]\d{4}/
const DATE = /^(?:\d{4}[-./ ]\d{1,2}[-./ ]\d{1,2}|\d{1,2}[-./ ]\d{1,2}[-./ ]\d{2,4})$/
const SSN_SHAPE = /^\d{3}-\d{2}-\d{4}$/
// European 2-2-2-2-2 groups (`01.84.17.61.18`).
const PAIRS = /^\d{2}(?:[ .-]\d{2}){4}$/
const NANP =
  /^(?:\+?1[ .-]?)?(?:\([2-9]\d{2}\)[ .-]?|[2-9]\d{2}[ .-])[2-9]\d{2}[ .-]\d{4}(?:[ ]?(?:x|ext\.?|extension)[ ]?\d{1,6})?$/

/** Text-profile bits of which a text must hold one for this recognizer to find anything (the engine reads it). */
export const PHONE_GATE = SEVEN_DIGITS

/**
 * PHONE_NUMBER: North American numbers (`(555) 201-3344`, `555-201-3344`, `+1 555 201 3344`), international
 * numbers with a `+` country code, and other grouped or bare digit runs when a phone word is nearby. Dates, versions
 * and SSN-shaped numbers are rejected; order and ticket words nearby veto weak candidates.
 *
 * @example
 * phoneRecognizer.find('call (555) 201-3344') // one PHONE_NUMBER finding
 */
export const phoneRecognizer: Recognizer = {
  name: 'phone',
  entities: ['PHONE_NUMBER'],
  find(text: string): readonly Finding[] {
    // Shared profile (one pass per text for every recognizer): most texts fail it.
    if ((textProfile(text) & PHONE_GATE) === 0) return NO_FINDINGS
    const out: Finding[] = []
    GROUPED.lastIndex = 0
    for (let m = GROUPED.exec(text); m !== null; m = GROUPED.exec(text)) {
      // Adjacent numbers can run together ("+44 7700 900123 123-45-6780"): score every prefix that ends at a
      // group boundary (at most six) and keep the best, the longest on ties.
      let raw = ''
      let score = 0
      const match = m[0]
      // Digits in match[0, cut): a prefix with fewer than seven is no phone, and is rejected before it is sliced.
      let digits = countDigits(match)
      for (let cut = match.length; cut > 0 && digits >= 7; ) {
        const candidate = match.slice(0, cut)
        const s = scoreCandidate(text, m.index, candidate)
        if (s > score) {
          score = s
          raw = candidate
        }
        const next = Math.max(match.lastIndexOf(' ', cut - 1), match.lastIndexOf('-', cut - 1))
        digits -= countDigitsIn(match, next, cut)
        cut = next
      }
      if (score <= 0) continue
      const end = m.index + raw.length
      if (end < m.index + m[0].length) GROUPED.lastIndex = end
      out.push({ type: 'PHONE_NUMBER', start: m.index, end, score, recognizer: 'phone' })
    }
    return out
  },
}

/** Score of one candidate, or 0 when it is not a phone number. */
function scoreCandidate(text: string, start: number, raw: string): number {
  const digits = countDigits(raw)
  if (digits < 7 || digits > 15) return 0
  // A North American number is never a date (groups 3-3-4) nor SSN-shaped, so those tests run only for the rest;
  // a date holds at most eight digits, an SSN nine in eleven characters.
  const nanp = NANP.test(raw)
  if (!nanp && digits <= 8 && DATE.test(raw)) return 0
  if (!nanp && digits === 9 && raw.length === 11 && SSN_SHAPE.test(raw)) return 0
  const end = start + raw.length
  const plus = raw.charCodeAt(0) === 43
  const grouped = raw.length > digits
  // Dotted numbers look like versions and IPs; only the North American 3.3.4 and European pair forms count.
  if (raw.includes('.') && !nanp && !PAIRS.test(raw)) return 0
  let score = 0
  if (nanp) score = 0.75
  else if (plus && digits >= 8) score = grouped ? 0.75 : 0.6
  else if (grouped && digits >= 8 && separators(raw) >= 2 && plausibleGroups(raw)) score = 0.55
  if (score < 0.75 || !grouped) {
    if (nearby(text, start, end, CONTEXT, 40, 16)) score = Math.max(score, grouped || plus ? 0.7 : 0.6)
  }
  if (score === 0) return 0
  if (nearby(text, start, end, NEGATIVE, 24, 0) && !nearby(text, start, end, CONTEXT, 24, 0)) score -= 0.4
  return score
}

function separators(s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 32 || c === 45 || c === 46) n++
  }
  return n
}

/** Local formats without a country code: 2–5 groups of 2–5 digits, no date inside, not thousands grouping. */
function plausibleGroups(raw: string): boolean {
  if (thousands(raw) || EMBEDDED_DATE.test(raw)) return false
  const groups = raw.replace(/[()]/g, '').split(/[ .-]/)
  if (groups.length > 5) return false
  for (const g of groups) if (g.length < 2 || g.length > 5) return false
  return true
}

/** `1 000 000` or `12.345.678`: thousands grouping, an amount rather than a phone. */
function thousands(s: string): boolean {
  return /^\d{1,3}(?:[ .,]\d{3})+$/.test(s)
}

function countDigits(s: string): number {
  return countDigitsIn(s, 0, s.length)
}

function countDigitsIn(s: string, from: number, to: number): number {
  let n = 0
  for (let i = Math.max(0, from); i < to; i++) {
    const c = s.charCodeAt(i)
    if (c >= 48 && c <= 57) n++
  }
  return n
}
