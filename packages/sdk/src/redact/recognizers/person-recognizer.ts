import type { Finding, Recognizer } from '../recognizer.js'
import { extendPersons } from './person-extend.js'
import {
  AMBIGUOUS,
  BREAK,
  classifyHash,
  FNV_BASIS,
  hashWord,
  isPlaceName,
  LOWER,
  NAME,
  personLexicon,
} from './person-lexicon.js'

// Words that announce a name right after them. Looked up by walking back over the previous one or two words
// (no regex over the window): titles, sign-offs, "my name is", and JSON or form keys such as "name" or "customer".
const STRONG = new Set([
  'dear',
  'mr',
  'mrs',
  'ms',
  'mx',
  'miss',
  'dr',
  'prof',
  'sir',
  'madam',
  'regards',
  'sincerely',
  'signed',
  'name',
  'fullname',
  'full_name',
  'first_name',
  'last_name',
  'firstname',
  'lastname',
  'surname',
  'username',
  'customer',
  'user',
  'patient',
  'client',
  'author',
  "i'm",
  'im',
  'kid',
])
const STRONG_PAIRS = new Set([
  'name is',
  'i am',
  'names are',
  'called me',
  'call me',
  'calls me',
  'directed by',
  'written by',
  'signed by',
])
// Verbs that, right after a lone unknown capitalised word, say it is a person ("Ciset lives on …").
const HUMAN_VERBS = new Set([
  'lives',
  'lived',
  'said',
  'says',
  'spent',
  'began',
  'shouted',
  'told',
  'asked',
  'replied',
  'answered',
  'whispered',
  'smiled',
  'laughed',
  'married',
  'died',
  'wrote',
  'thinks',
  'thought',
  'feels',
  'felt',
])
const WEAK = new Set([
  'hi',
  'hello',
  'hey',
  'thanks',
  'cheers',
  'best',
  'called',
  'named',
  'employee',
  'agent',
  'attn',
  'contact',
  'manager',
  'colleague',
  'friend',
  'wife',
  'husband',
  'son',
  'daughter',
  'mother',
  'father',
  'brother',
  'sister',
  'boss',
  'by',
  'from',
  'to',
  'cc',
  'ask',
  'tell',
  'met',
  'with',
  'and',
  'is',
  'owner',
  'holder',
  'recipient',
  'sender',
  'says',
  'said',
  'under',
  'for',
  'at',
  'of',
])
// The same words when they are capitalised inside a run ("Dear", "Mr."): stripped from the run, counted as context.
const LEADERS = new Set([
  'dear',
  'hi',
  'hello',
  'hey',
  'mr',
  'mrs',
  'ms',
  'mx',
  'miss',
  'dr',
  'prof',
  'sir',
  'madam',
  'thanks',
  'regards',
  'sincerely',
  'cheers',
  'best',
  'customer',
  'user',
  'patient',
  'client',
  'agent',
  'by',
  'from',
  'to',
  'cc',
  'attn',
  'name',
  'contact',
])
/** Hashes (person-lexicon's hashWord, lower-cased) of the sets above: lookups straight from the text, no slices. */
const hashes = (words: Iterable<string>): Set<number> => new Set([...words].map((w) => hashWord(w, 0, w.length)))
const STRONG_H = hashes(STRONG)
const WEAK_H = hashes(WEAK)
const LEADERS_H = hashes(LEADERS)
// Last words of STRONG_PAIRS: only these make the two-word lookup worth its slices.
const PAIR_TAILS_H = hashes([...STRONG_PAIRS].map((p) => p.slice(p.lastIndexOf(' ') + 1)))
const NONE = 0
const WEAK_CONTEXT = 1
const STRONG_CONTEXT = 2
const FUNCTION_CONTEXT = 3 // a WEAK function word ("and", "with", "to"): no support for a lower-case word
const FUNCTION_H = hashes(['by', 'from', 'to', 'cc', 'with', 'and', 'is', 'under', 'for', 'at', 'of', 'says', 'said'])

/** Reads the one or two words before `pos`, skipping spaces, quotes, colons and equals signs (`"name": "`). */
function contextBefore(text: string, pos: number): number {
  let i = pos - 1
  let skipped = 0
  while (i >= 0 && skipped < 8 && isFiller(text.charCodeAt(i))) {
    i--
    skipped++
  }
  const end1 = i + 1
  while (i >= 0 && isWordChar(text.charCodeAt(i))) i--
  if (end1 - (i + 1) === 0 || end1 - (i + 1) > 12) return NONE
  const h1 = hashWord(text, i + 1, end1)
  if (STRONG_H.has(h1)) return STRONG_CONTEXT
  if (PAIR_TAILS_H.has(h1)) {
    const w1 = text.slice(i + 1, end1).toLowerCase()
    while (i >= 0 && text.charCodeAt(i) === 32) i--
    const end2 = i + 1
    while (i >= 0 && isWordChar(text.charCodeAt(i))) i--
    if (end2 > i + 1 && STRONG_PAIRS.has(text.slice(i + 1, end2).toLowerCase() + ' ' + w1)) return STRONG_CONTEXT
  }
  return WEAK_H.has(h1) ? (FUNCTION_H.has(h1) ? FUNCTION_CONTEXT : WEAK_CONTEXT) : NONE
}

function isFiller(c: number): boolean {
  return (
    c === 32 || c === 34 || c === 39 || c === 58 || c === 61 || c === 10 || c === 13 || c === 9 || c === 44 || c === 46
  )
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 39
}

// The current run of capitalised words, in parallel typed arrays reused across calls (no object per word):
// start, end, class (NAME, AMBIGUOUS, BREAK, or 0 for unknown) and flags. A run longer than MAX_RUN is scored in
// pieces; only a run of 64+ capitalised words, which holds no name (candidates stop at four words), sees a difference.
const MAX_RUN = 64
const wStart = new Int32Array(MAX_RUN)
const wEnd = new Int32Array(MAX_RUN)
const wCls = new Uint8Array(MAX_RUN)
const wFlags = new Uint8Array(MAX_RUN)
const INITIAL = 1
const LEADER = 2 // a greeting or title word ("Dear", "Mr."): context, not part of the name
const LOWERCASE = 4 // read in lowerMode and not capitalised

// Jumps to the next character that may open a capitalised word; native scanning instead of a JS loop over every
// character (most characters are lower case, digits or punctuation).
const CAPITAL = /[A-Z\u00C0-\uFFFF]/g
// Text written without capitals ("follow up with patricia desrosiers"): every word is read, and candidates need a
// known name part (lowerMode in candidate()).
const ANY_LETTER = /[A-Za-z\u00C0-\uFFFF]/g
const FIRST_LETTER = /[A-Za-z\u00C0-\u024F]/
let lowerMode = false

/**
 * PERSON without a model: capitalised words are tokenised once and looked up in one Map (name parts, ordinary
 * words, places); runs of name-like words become candidates, scored by how many parts are known names and by
 * context (greetings, titles, "my name is", sign-offs, JSON keys such as "name" or "customer").
 *
 * @example
 * personRecognizer.find('Dear Maria Lopez, thanks') // one PERSON finding for "Maria Lopez"
 */
export const personRecognizer: Recognizer = {
  name: 'person',
  entities: ['PERSON'],
  find(text: string): Finding[] {
    const out: Finding[] = []
    personLexicon() // builds the tables on first use
    let len = 0 // words in the current run
    const n = text.length
    const first = FIRST_LETTER.exec(text)
    lowerMode = first !== null && first[0] === first[0].toLowerCase() && first[0] !== first[0].toUpperCase()
    const JUMP = lowerMode ? ANY_LETTER : CAPITAL
    // Hot loop: a native jump to each capital, then a hand-written tokenizer over char codes; words are hashed
    // while read and looked up in a typed-array table, so no word costs a slice.
    JUMP.lastIndex = 0
    while (JUMP.test(text)) {
      const start = JUMP.lastIndex - 1
      const c = text.charCodeAt(start)
      let j = start + 1
      let lower = 0
      let upper = 0
      // The word's hash (hashWord) is computed while it is read; h1 and h2 are the hashes one and two characters
      // short, for a possessive 's cut off below.
      let h2 = FNV_BASIS
      let h1 = FNV_BASIS
      let h = Math.imul(FNV_BASIS ^ (c < 0x2000 ? LOWER[c]! : c), 0x01000193)
      for (; j < n; j++) {
        const d = text.charCodeAt(j)
        if (isLetter(d)) {
          if (d >= 97 && d <= 122) lower++
          else if (d >= 65 && d <= 90) upper++
        } else if (!((d === 39 || d === 0x2019 || d === 45) && j + 1 < n && isLetter(text.charCodeAt(j + 1)))) {
          break // O'Neil, Jean-Luc: an apostrophe or hyphen inside a word does not end it
        }
        h2 = h1
        h1 = h
        h = Math.imul(h ^ (d < 0x2000 ? LOWER[d]! : d), 0x01000193)
      }
      JUMP.lastIndex = j
      if (
        (!lowerMode && !isUpper(text, start, c)) ||
        isLetter(text.charCodeAt(start - 1)) ||
        attached(text.charCodeAt(start - 1))
      )
        continue
      let end = j
      let initial = end - start === 1
      if (initial && text.charCodeAt(end) === 46) end++
      if (text.charCodeAt(end - 2) === 39 && text.charCodeAt(end - 1) === 115) {
        end -= 2 // possessive 's
        h = h2
      }
      h |= 1 // as hashWord: never 0
      let cls: number
      let leader = false
      if (initial) cls = 0
      else {
        leader = end - start <= 9 && LEADERS_H.has(h)
        if (upper > 0 && lower === 0 && !hasNonAsciiLower(text, start, end))
          cls = BREAK // an acronym: SSN, NASA
        else cls = classifyHash(h)
        if (leader && text.charCodeAt(end) === 46) end++
      }
      initial = initial && cls === 0
      const caseFlag = lowerMode && !isUpper(text, start, c) ? LOWERCASE : 0
      if (
        len > 0 &&
        (len === MAX_RUN ||
          !(start - wEnd[len - 1]! <= 2 && isJoin(text, wEnd[len - 1]!, start)) ||
          (wFlags[len - 1]! & LOWERCASE) !== caseFlag) // lower-case and capitalised words never share a run
      ) {
        // A lone word that can be neither a name nor context ("The", "What") needs no scoring.
        if (len > 1 || wCls[0] !== BREAK || wFlags[0]! & LEADER) score(text, len, out)
        len = 0
      }
      wStart[len] = start
      wEnd[len] = end
      wCls[len] = cls
      wFlags[len] =
        (initial ? INITIAL : 0) | (leader ? LEADER : 0) | (lowerMode && !isUpper(text, start, c) ? LOWERCASE : 0)
      len++
    }
    if (len > 0) score(text, len, out)
    extendPersons(text, out, lowerMode)
    return out
  },
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 0xc0 && c < 0x2000 && c !== 0xd7 && c !== 0xf7)
}

function isUpper(text: string, i: number, c: number): boolean {
  if (c >= 65 && c <= 90) return true
  if (c < 0xc0) return false
  const ch = text[i]!
  return ch !== ch.toLowerCase()
}

function hasNonAsciiLower(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    if (text.charCodeAt(i) > 127) {
      const ch = text[i]!
      if (ch !== ch.toUpperCase()) return true
    }
  }
  return false
}

/** A word glued to an identifier, address or path (`user_Name`, `@Name`, `a.Name`) is not a name. */
function attached(p: number): boolean {
  return (p >= 48 && p <= 57) || p === 95 || p === 64 || p === 43 || p === 45 || p === 46 || p === 47 || p === 92
}

/** Two words belong to one name when only a space (or an initial's dot and a space) separates them. */
function isJoin(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) !== 32) return false
  return to > from
}

/** Scores the run of `len` words held in the w* arrays. */
function score(text: string, len: number, out: Finding[]): void {
  // Leading greeting or title words are context, not part of the name.
  let i = 0
  let leader = false
  while (i < len && wFlags[i]! & LEADER) {
    leader = true
    i++
  }
  // Split the rest on words that cannot be part of a name.
  let from = i
  for (let j = i; j <= len; j++) {
    if (j === len || wCls[j] === BREAK) {
      if (j > from) candidate(text, from, j, out, leader && from === i)
      from = j + 1
    }
  }
}

/** Scores words [from, to) of the current run as one candidate name. */
function candidate(text: string, from: number, to: number, out: Finding[], leader: boolean): void {
  while (to > from && wFlags[to - 1]! & INITIAL) to--
  const count = to - from
  if (count === 0 || count > 4 || (count === 1 && wFlags[from]! & INITIAL)) return
  const start = wStart[from]!
  const end = wEnd[to - 1]!
  let names = 0
  let ambiguous = 0
  let unknown = 0
  let initials = 0
  let lowercase = 0
  for (let k = from; k < to; k++) {
    const cls = wCls[k]
    if (wFlags[k]! & LOWERCASE) lowercase++
    if (cls === NAME) names++
    else if (cls === AMBIGUOUS) ambiguous++
    else if (wFlags[k]! & INITIAL) initials++
    else unknown++
  }
  if (names === 0 && count >= 2 && isPlaceName(text, start, end)) return
  const ctx = contextBefore(text, start)
  const strong = leader || ctx === STRONG_CONTEXT
  const weak = strong || ctx === WEAK_CONTEXT || ctx === FUNCTION_CONTEXT
  const atStart = sentenceStart(text, start)
  const parts = names + ambiguous + unknown
  let s = 0
  if (lowercase > 0) {
    // Without capitals, only known name parts count: a pair with one, or a lone one with context.
    if (parts >= 2 && names >= 1 && unknown + ambiguous <= 1) s = 0.85
    else if (parts === 1 && names === 1) s = strong || ctx === WEAK_CONTEXT || speaker(text, end) ? 0.6 : 0
    else if (parts === 1 && unknown === 1 && strong) s = 0.8
    if (s > 0) out.push({ type: 'PERSON', start, end, score: s, recognizer: 'person' })
    return
  }
  if (parts >= 2 && (names >= 1 || initials >= 1 || strong)) s = 0.85
  else if (parts >= 2)
    s =
      weak || humanVerbAfter(text, end) || possessive(text, end) || wholeLine(text, start, end)
        ? 0.6
        : atStart && !hasNonAscii(text, start, end)
          ? 0.4
          : ambiguous > 0
            ? 0.5
            : 0.55
  // A lone known name needs some support: context before it, a dialogue label, or a name-like neighbour list.
  else if (names === 1) s = strong ? 0.85 : weak || speaker(text, end) ? 0.6 : atStart ? 0.5 : 0.55
  else if (unknown === 1)
    s = strong ? 0.8 : (atStart && speaker(text, end) && dialogue(text)) || humanVerbAfter(text, end) ? 0.6 : 0.2
  else if (ambiguous === 1) s = strong ? 0.7 : 0.2
  if (s === 0) return
  out.push({ type: 'PERSON', start, end, score: s, recognizer: 'person' })
}

// Two or more lines opening with a label ("Anna: …\nTom: …"): a dialogue, where an unknown label is a speaker.
const LABEL_LINE = /(?:^|\n)[^\n:]{1,40}: ?\S[^\n]*\n(?:[^\n]*\n)?[^\n:]{1,40}: ?\S/

/** The text reads as a dialogue: two labelled lines close together. */
function dialogue(text: string): boolean {
  return LABEL_LINE.test(text)
}

/** A possessive follows ("Maite Lemmens's"). */
function possessive(text: string, end: number): boolean {
  const q = text.charCodeAt(end)
  return (q === 39 || q === 0x2019) && text.charCodeAt(end + 1) === 115 && !isWordChar(text.charCodeAt(end + 2))
}

/** The words fill their line and a blank line or the text's end follows: a letterhead or signature block. */
function wholeLine(text: string, start: number, end: number): boolean {
  const before = start === 0 || text.charCodeAt(start - 1) === 10
  const n = text.length
  return before && (end === n || (text.charCodeAt(end) === 10 && (end + 1 === n || text.charCodeAt(end + 1) === 10)))
}

/** The next word is one of HUMAN_VERBS. */
function humanVerbAfter(text: string, end: number): boolean {
  if (text.charCodeAt(end) !== 32) return false
  let e = end + 1
  while (e < text.length && e - end <= 10 && text.charCodeAt(e) >= 97 && text.charCodeAt(e) <= 122) e++
  return e - end > 3 && e - end <= 10 && HUMAN_VERBS.has(text.slice(end + 1, e))
}

/** A dialogue or chat label: `Name:` at the start of a line. */
function speaker(text: string, end: number): boolean {
  return text.charCodeAt(end) === 58 && (text.charCodeAt(end + 1) === 32 || text.charCodeAt(end + 1) === 34)
}

function hasNonAscii(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) > 127) return true
  return false
}

/** At the start of the text, a line or a sentence, where any word is capitalised. */
function sentenceStart(text: string, at: number): boolean {
  let i = at - 1
  while (
    i >= 0 &&
    (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 34 || text.charCodeAt(i) === 39 || text.charCodeAt(i) === 40)
  )
    i--
  if (i < 0) return true
  const c = text.charCodeAt(i)
  return c === 46 || c === 33 || c === 63 || c === 10 || c === 13 || c === 58 || c === 9
}
