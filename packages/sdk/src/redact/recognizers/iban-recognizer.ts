import { type Finding, NO_FINDINGS, type Recognizer } from '../recognizer.js'
import { digitsEnd, firstDigitIndex, IBAN_HEAD, textProfile } from '../text-profile.js'
import { ibanLength, isValidIban } from '../validators/iban.js'

// Country code, check digits, then the BBAN compact or in groups of four separated by single spaces. The match
// opens at the check digits and looks back for the country code: V8's first-character check then skips every
// non-digit position instead of entering the pattern at every letter.
const CANDIDATE =
  /\d\d(?<=(?<![A-Za-z0-9])[A-Za-z]{2}\d\d)(?:[A-Za-z0-9]{10,30}|(?: [A-Za-z0-9]{4}){2,7}(?: [A-Za-z0-9]{1,3})?)(?![A-Za-z0-9])/g

/** Text-profile bits of which a text must hold one for this recognizer to find anything (the engine reads it). */
export const IBAN_GATE = IBAN_HEAD

/**
 * IBAN_CODE: the country's registered length and the mod-97 check must both hold, so a random code-like string is
 * rejected with probability 96/97 even before the length check.
 *
 * @example
 * ibanRecognizer.find('IBAN GB82 WEST 1234 5698 7654 32') // one IBAN_CODE finding
 */
export const ibanRecognizer: Recognizer = {
  name: 'iban',
  entities: ['IBAN_CODE'],
  find(text: string): readonly Finding[] {
    // Shared profile: two letters and two digits at a word start, or no candidate at all.
    if ((textProfile(text) & IBAN_GATE) === 0) return NO_FINDINGS
    const out: Finding[] = []
    // A match opens on the check digits: the search runs from the text's first digit to its last (text-profile.ts).
    CANDIDATE.lastIndex = firstDigitIndex()
    const last = digitsEnd()
    for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.lastIndex < last ? CANDIDATE.exec(text) : null) {
      const start = m.index - 2
      const end = m.index + m[0].length
      const expected = ibanLength(text.slice(start, start + 2).toUpperCase())
      if (expected === undefined) continue
      // Walk the text until `expected` alphanumerics are consumed: a spaced IBAN may be followed by a group that is
      // not part of it. Counted in place; the compact form is built once, for the candidate that fits.
      let n = 0
      let i = start
      for (; i < end && n < expected; i++) if (text.charCodeAt(i) !== 32) n++
      if (n !== expected || (i < end && text.charCodeAt(i) !== 32)) continue
      const compact = text.slice(start, i).replace(/ /g, '')
      if (!isValidIban(compact.toUpperCase())) continue
      out.push({ type: 'IBAN_CODE', start, end: i, score: 1, recognizer: 'iban' })
    }
    return out
  },
}
