import { contextWords, nearby } from '../context.js'
import { type Finding, NO_FINDINGS, type Recognizer } from '../recognizer.js'
import { digitsEnd, firstSsnIndex, SSN_SHAPE, textProfile } from '../text-profile.js'
import { isPlaceholderSsn, isValidSsn } from '../validators/ssn.js'

// 3-2-4 digits with one consistent separator (dash, space, dot) or none; only at the start of a digit run.
const CANDIDATE = /(\d(?<![\w.-]\d)\d{2})([- .]?)(\d{2})\2(\d{4})(?![\w]|-\d)/g
const CONTEXT = contextWords([
  'ssn',
  'social security',
  'social sec',
  'ss#',
  'ss #',
  'ss no',
  'taxpayer',
  'tin',
  'itin',
])

/** Text-profile bits of which a text must hold one for this recognizer to find anything (the engine reads it). */
export const SSN_GATE = SSN_SHAPE

/**
 * US_SSN: 3-2-4 digits in the issued ranges (area not 000, 666 or 9xx; group not 00; serial not 0000). Dashed
 * numbers count alone; spaced, dotted or bare nine-digit runs need an SSN word nearby, and so do the well-known
 * placeholder numbers ("SSN 123-45-6789" is someone's number as far as the writer is concerned).
 *
 * @example
 * usSsnRecognizer.find('SSN 123-45-6780') // one US_SSN finding
 */
export const usSsnRecognizer: Recognizer = {
  name: 'us-ssn',
  entities: ['US_SSN'],
  find(text: string): readonly Finding[] {
    // Shared profile: a number shaped like an SSN (nine digits, or 3-2-4 with one separator), or no candidate.
    if ((textProfile(text) & SSN_GATE) === 0) return NO_FINDINGS
    const out: Finding[] = []
    // A match opens on a run of SSN shape: the search runs from the first one to the text's last digit
    // (text-profile.ts).
    CANDIDATE.lastIndex = firstSsnIndex()
    const last = digitsEnd()
    for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.lastIndex < last ? CANDIDATE.exec(text) : null) {
      const digits = m[1]! + m[3]! + m[4]!
      const placeholder = isPlaceholderSsn(digits)
      if (!placeholder && !isValidSsn(digits)) continue
      const start = m.index
      const end = start + m[0].length
      const context = nearby(text, start, end, CONTEXT, 64, 16)
      if (placeholder && !context) continue
      let score: number
      if (m[2] === '-') score = context ? 1 : 0.75
      else score = context ? 0.9 : 0.3
      out.push({ type: 'US_SSN', start, end, score, recognizer: 'us-ssn' })
    }
    return out
  },
}
