import { contextWords, nearby } from '../context.js'
import type { Finding, Recognizer } from '../recognizer.js'
import { cardIssuer } from '../validators/card-issuer.js'
import { profile } from '../text-profile.js'
import { luhn } from '../validators/luhn.js'

// 12–19 digits, optionally grouped by single spaces or dashes. Starts only at the start of a digit run (lookbehind),
// and each attempt is bounded, so the scan is linear.
// The boundary lookbehind sits after the first digit so V8 can skip to digits with its first-character check.
const CANDIDATE = /\d(?<![\w.-]\d)(?:[ -]?\d){11,18}(?![\w])/g
const POSITIVE = contextWords(['card', 'credit', 'debit', 'visa', 'mastercard', 'amex', 'american express', 'discover', 'cc', 'payment', 'pay', 'cvv', 'expir', 'billing', 'charge'])
const NEGATIVE = contextWords(['tracking', 'order', 'invoice', 'shipment', 'ref', 'reference', 'serial', 'isbn', 'account id', 'request id', 'ticket', 'timestamp', 'phone', 'tel', 'call'])

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
  find(text: string): Finding[] {
    const out: Finding[] = []
    if (profile(text).maxDigitRun < 12) return out
    CANDIDATE.lastIndex = 0
    for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
      const raw = m[0]
      const start = m.index
      let end = checkCard(raw, true)
      let issuerKnown = end > 0
      // An unknown issuer range still counts when the Luhn check holds and card words are nearby.
      if (end === 0) {
        end = checkCard(raw, false)
        if (end === 0 || !nearby(text, start, start + end, POSITIVE)) {
          // The run may start with digits that belong to something else ("… 32 4111 1111 …"): retry one group on.
          const sep = raw.search(/[ -]/)
          if (sep > 0) CANDIDATE.lastIndex = start + sep + 1
          continue
        }
        issuerKnown = false
      }
      let score = issuerKnown ? 0.9 : 0.8
      if (issuerKnown && nearby(text, start, start + end, POSITIVE)) score = 1
      else if (nearby(text, start, start + end, NEGATIVE, 32, 0)) score = 0.3
      out.push({ type: 'CREDIT_CARD', start, end: start + end, score, recognizer: 'credit-card' })
    }
    return out
  },
}

/** Returns the length of the valid card at the start of `raw` (trying shorter groupings), or 0. */
function checkCard(raw: string, issuer: boolean): number {
  let candidate = raw
  for (;;) {
    if (isCard(candidate, issuer)) return candidate.length
    const cut = Math.max(candidate.lastIndexOf(' '), candidate.lastIndexOf('-'))
    if (cut <= 0) return 0
    candidate = candidate.slice(0, cut)
  }
}

function isCard(s: string, issuer: boolean): boolean {
  let digits = ''
  let sep = ''
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (c === ' ' || c === '-') {
      if (sep === '') sep = c
      else if (sep !== c) return false
    } else {
      digits += c
    }
  }
  if (digits.length < 12 || digits.length > 19) return false
  if (sep !== '') {
    // Card groupings start with a group of four (4-4-4-4, 4-6-5, 4-4-4-4-3); phone-style 3-3-4 is not a card.
    const first = s.indexOf(sep)
    if (first !== 4) return false
  }
  return (!issuer || cardIssuer(digits) !== null) && luhn(digits)
}
