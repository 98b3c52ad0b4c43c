import { contextWords, nearby } from '../context.js'
import { type Finding, NO_FINDINGS, type Recognizer } from '../recognizer.js'
import { CARD_RUN, textProfile } from '../text-profile.js'
import { cardIssuer } from '../validators/card-issuer.js'
import { luhn } from '../validators/luhn.js'

// 12–19 digits, optionally grouped by single spaces or dashes. Starts only at the start of a digit run (lookbehind),
// and each attempt is bounded, so the scan is linear.
// The boundary lookbehind sits after the first digit so V8 can skip to digits with its first-character check.
const CANDIDATE = /\d(?<![\w.-]\d)(?:[ -]?\d){11,18}(?![\w])/g
const GROUPING = /^(?:\d{4}(?:[ -]\d{4})*(?:[ -]\d{1,4})?|\d{4}[ -]\d{6}[ -]\d{4,5})$/
const POSITIVE = contextWords([
  'card',
  'credit',
  'debit',
  'visa',
  'mastercard',
  'amex',
  'american express',
  'discover',
  'cc',
  'payment',
  'pay',
  'cvv',
  'expir',
  'billing',
  'charge',
])
const NEGATIVE = contextWords([
  'tracking',
  'order',
  'invoice',
  'shipment',
  'ref',
  'reference',
  'serial',
  'isbn',
  'account id',
  'request id',
  'ticket',
  'timestamp',
  'phone',
  'tel',
  'call',
])

/** Text-profile bits of which a text must hold one for this recognizer to find anything (the engine reads it). */
export const CARD_GATE = CARD_RUN

/**
 * CREDIT_CARD: a digit run is a card only when issuer prefix, length and Luhn agree and its grouping is a card's
 * (all digits together, or one separator kind). Words such as "tracking" or "order" nearby lower the score unless
 * card words are nearby too.
 *
 * @example
 * creditCardRecognizer.find('card 4111-1111-1111-1111') // one CREDIT_CARD finding
 */
export const creditCardRecognizer: Recognizer = {
  name: 'credit-card',
  entities: ['CREDIT_CARD'],
  find(text: string): readonly Finding[] {
    // Shared profile: twelve digits joined by single spaces or dashes, or no candidate at all.
    if ((textProfile(text) & CARD_GATE) === 0) return NO_FINDINGS
    const out: Finding[] = []
    CANDIDATE.lastIndex = 0
    for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
      const raw = m[0]
      const start = m.index
      const { end, issuerKnown } = checkCard(raw)
      // An unknown issuer range still counts when the Luhn check holds and card words are nearby.
      if (end === 0 || (!issuerKnown && !nearby(text, start, start + end, POSITIVE))) {
        // The run may start with digits that belong to something else ("… 32 4111 1111 …"): retry one group on.
        const sep = firstSeparator(raw, raw.length)
        if (sep > 0) CANDIDATE.lastIndex = start + sep + 1
        continue
      }
      let score = issuerKnown ? 0.9 : 0.8
      if (issuerKnown && nearby(text, start, start + end, POSITIVE)) score = 1
      // Tracking and order numbers are written as bare runs; a run grouped like a card is treated as one.
      else if (firstSeparator(raw, end) === -1 && nearby(text, start, start + end, NEGATIVE, 20, 0)) score = 0.3
      out.push({ type: 'CREDIT_CARD', start, end: start + end, score, recognizer: 'credit-card' })
    }
    return out
  },
}

/** Index of the first space or dash in s[0, end), or -1: a char-code loop, where a regex call costs more on a short run. */
function firstSeparator(s: string, end: number): number {
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c === 32 || c === 45) return i
  }
  return -1
}

/** Number of spaces and dashes in `s`. */
function separatorCount(s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 32 || c === 45) n++
  }
  return n
}

/** Length of the Luhn-valid card at the start of `raw` (trying shorter groupings) and whether its issuer is known. */
function checkCard(raw: string): { end: number; issuerKnown: boolean } {
  // Every card grouping opens with four digits: a run whose first group is not four long cannot hold one.
  const firstSep = firstSeparator(raw, raw.length)
  if (firstSep !== -1 && firstSep !== 4 && firstSep < 12) return { end: 0, issuerKnown: false }
  let candidate = raw
  for (;;) {
    // Cheap structural checks first: most candidates (phone-like or ragged groups) fail here without allocation.
    if (firstSeparator(candidate, candidate.length) === -1 || GROUPING.test(candidate)) {
      // luhn() skips the separators itself: the digits-only string is built only for a candidate that passes.
      const digitCount = candidate.length - separatorCount(candidate)
      if (digitCount >= 12 && digitCount <= 19 && luhn(candidate)) {
        return { end: candidate.length, issuerKnown: cardIssuer(candidate.replace(/[ -]/g, '')) !== null }
      }
    }
    const cut = Math.max(candidate.lastIndexOf(' '), candidate.lastIndexOf('-'))
    if (cut <= 0) return { end: 0, issuerKnown: false }
    candidate = candidate.slice(0, cut)
  }
}
