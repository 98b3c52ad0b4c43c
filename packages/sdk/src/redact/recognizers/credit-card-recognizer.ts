import { contextWords, nearby } from '../context.js'
import { type Finding, NO_FINDINGS, type Recognizer } from '../recognizer.js'
import { CARD_RUN, digitsEnd, firstCardIndex, textProfile } from '../text-profile.js'
import { cardIssuer } from '../validators/card-issuer.js'
import { luhn } from '../validators/luhn.js'

// 12–19 digits, optionally grouped by single spaces, dashes or dots ("4111.1111.1111.1111"). Starts only at the start of a digit run (lookbehind),
// and each attempt is bounded, so the scan is linear.
// The boundary lookbehind sits after the first digit so V8 can skip to digits with its first-character check.
const CANDIDATE = /\d(?<![\w.-]\d)(?:[ .-]?\d){11,18}(?![\w])/g
const GROUPING = /^(?:\d{4}(?:[ .-]\d{4})*(?:[ .-]\d{1,4})?|\d{4}[ .-]\d{6}[ .-]\d{4,5})$/
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
    // A match lies in a card chain: the search runs from the first one to the text's last digit (text-profile.ts).
    CANDIDATE.lastIndex = firstCardIndex()
    const last = digitsEnd()
    for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.lastIndex < last ? CANDIDATE.exec(text) : null) {
      const start = m.index
      const runEnd = start + m[0].length
      // Read in place, by offsets into the text: the match and its prefixes are never sliced for the checks.
      const end = checkCard(text, start, runEnd)
      // An unknown issuer range still counts when the Luhn check holds and card words are nearby.
      if (end === -1 || (!issuerKnown && !nearby(text, start, end, POSITIVE))) {
        // The run may start with digits that belong to something else ("… 32 4111 1111 …"): retry one group on.
        const sep = firstSeparator(text, start, runEnd)
        if (sep > start) CANDIDATE.lastIndex = sep + 1
        continue
      }
      // Digit groups on both sides ("Tracking: 9405 5036 9930 0421 8874 12"): a longer number, a card only by chance.
      if (chainGoesOn(text, start, end)) {
        const sep = firstSeparator(text, start, runEnd)
        if (sep > start) CANDIDATE.lastIndex = sep + 1
        continue
      }
      let score = issuerKnown ? 0.9 : 0.8
      if (issuerKnown && nearby(text, start, end, POSITIVE)) score = 1
      // Tracking and order numbers are written as bare runs; a run grouped like a card is treated as one.
      else if (firstSeparator(text, start, end) === -1 && nearby(text, start, end, NEGATIVE, 20, 0)) score = 0.3
      out.push({ type: 'CREDIT_CARD', start, end, score, recognizer: 'credit-card' })
    }
    return out
  },
}

/** A digit and a separator stand right before `start`, and a separator and a digit right after `end`. */
function chainGoesOn(text: string, start: number, end: number): boolean {
  return (
    start >= 2 &&
    isSeparator(text.charCodeAt(start - 1)) &&
    isDigitCode(text.charCodeAt(start - 2)) &&
    end + 1 < text.length &&
    isSeparator(text.charCodeAt(end)) &&
    isDigitCode(text.charCodeAt(end + 1))
  )
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57
}

function isSeparator(c: number): boolean {
  return c === 32 || c === 45 || c === 46
}

/** Index of the first space, dash or dot in text[from, to), or -1: a char-code loop, where a regex call costs more. */
function firstSeparator(text: string, from: number, to: number): number {
  for (let i = from; i < to; i++) if (isSeparator(text.charCodeAt(i))) return i
  return -1
}

/** Index of the last space, dash or dot in text[from, to), or -1. */
function lastSeparator(text: string, from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) if (isSeparator(text.charCodeAt(i))) return i
  return -1
}

/** Number of spaces, dashes and dots in text[from, to). */
function separatorCount(text: string, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to; i++) if (isSeparator(text.charCodeAt(i))) n++
  return n
}

/** Whether the issuer of the card that checkCard() last accepted is known (read right after the call). */
let issuerKnown = false

/**
 * End of the Luhn-valid card at the start of the digit run text[start, runEnd) (trying shorter groupings, one group
 * less each time), or -1; sets issuerKnown.
 */
function checkCard(text: string, start: number, runEnd: number): number {
  // Every card grouping opens with four digits: a run whose first group is not four long cannot hold one.
  const firstSep = firstSeparator(text, start, runEnd)
  if (firstSep !== -1 && firstSep - start !== 4 && firstSep - start < 12) return -1
  let end = runEnd
  for (;;) {
    // Cheap structural checks first: most candidates (phone-like or ragged groups) fail here without allocation.
    const grouped = firstSep !== -1 && firstSep < end
    if (!grouped || GROUPING.test(text.slice(start, end))) {
      // luhn() skips the separators itself: the digits-only string is built only for a candidate that passes.
      const digitCount = end - start - separatorCount(text, start, end)
      if (digitCount >= 12 && digitCount <= 19 && luhn(text, start, end)) {
        issuerKnown = cardIssuer(text.slice(start, end).replace(/[ .-]/g, '')) !== null
        return end
      }
    }
    const cut = lastSeparator(text, start, end)
    if (cut <= start) return -1
    end = cut
  }
}
