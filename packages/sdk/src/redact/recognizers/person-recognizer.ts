import type { Finding, Recognizer } from '../recognizer.js'
import { AMBIGUOUS, BREAK, classify, NAME, personLexicon } from './person-lexicon.js'

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
])
const STRONG_PAIRS = new Set(['name is', 'i am', 'names are', 'called me', 'directed by', 'written by', 'signed by'])
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
const NONE = 0
const WEAK_CONTEXT = 1
const STRONG_CONTEXT = 2

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
  const w1 = text.slice(i + 1, end1).toLowerCase()
  if (STRONG.has(w1)) return STRONG_CONTEXT
  while (i >= 0 && text.charCodeAt(i) === 32) i--
  const end2 = i + 1
  while (i >= 0 && isWordChar(text.charCodeAt(i))) i--
  if (end2 > i + 1 && STRONG_PAIRS.has(text.slice(i + 1, end2).toLowerCase() + ' ' + w1)) return STRONG_CONTEXT
  return WEAK.has(w1) ? WEAK_CONTEXT : NONE
}

function isFiller(c: number): boolean {
  return (
    c === 32 || c === 34 || c === 39 || c === 58 || c === 61 || c === 10 || c === 13 || c === 9 || c === 44 || c === 46
  )
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 39
}

interface Word {
  start: number
  end: number
  cls: number // NAME, AMBIGUOUS, BREAK, or 0 for unknown
  initial: boolean
}

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
    let run: Word[] = []
    const n = text.length
    // Hot loop: a hand-written tokenizer over char codes; only capitalised words cost a slice and one Map lookup.
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i)
      // Most characters are lower case, digits or punctuation: one comparison each, no allocation.
      if (c < 65 || (c > 90 && c < 0xc0)) continue
      let j = i + 1
      let lower = 0
      let upper = 0
      for (; j < n; j++) {
        const d = text.charCodeAt(j)
        if (isLetter(d)) {
          if (d >= 97 && d <= 122) lower++
          else if (d >= 65 && d <= 90) upper++
          continue
        }
        // O'Neil, Jean-Luc: an apostrophe or hyphen inside a word.
        if ((d === 39 || d === 0x2019 || d === 45) && j + 1 < n && isLetter(text.charCodeAt(j + 1))) continue
        break
      }
      const start = i
      i = j - 1
      if (!isUpper(text, start, c) || isLetter(text.charCodeAt(start - 1)) || attached(text.charCodeAt(start - 1)))
        continue
      let end = j
      let initial = end - start === 1
      if (initial && text.charCodeAt(end) === 46) end++
      if (text.charCodeAt(end - 2) === 39 && text.charCodeAt(end - 1) === 115) end -= 2 // possessive 's
      let cls: number
      if (initial) cls = 0
      else if (upper > 0 && lower === 0 && !hasNonAsciiLower(text, start, end))
        cls = BREAK // an acronym: SSN, NASA
      else cls = classify(text, start, end)
      if (!initial && text.charCodeAt(end) === 46 && LEADERS.has(text.slice(start, end).toLowerCase())) end++
      initial = initial && cls === 0
      const w: Word = { start, end, cls, initial }
      const prev = run[run.length - 1]
      if (prev && !(w.start - prev.end <= 2 && isJoin(text, prev.end, w.start))) {
        score(text, run, out)
        run = []
      }
      run.push(w)
    }
    if (run.length > 0) score(text, run, out)
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

function score(text: string, words: Word[], out: Finding[]): void {
  // Leading greeting or title words are context, not part of the name.
  let i = 0
  let leader = false
  while (i < words.length && isLeader(text, words[i]!)) {
    leader = true
    i++
  }
  // Split the rest on words that cannot be part of a name.
  let from = i
  for (let j = i; j <= words.length; j++) {
    if (j === words.length || words[j]!.cls === BREAK) {
      if (j > from) candidate(text, words.slice(from, j), out, leader && from === i)
      from = j + 1
    }
  }
}

function candidate(text: string, words: Word[], out: Finding[], leader: boolean): void {
  while (words.length > 0 && words[words.length - 1]!.initial) words = words.slice(0, -1)
  if (words.length === 0 || words.length > 4 || (words.length === 1 && words[0]!.initial)) return
  const start = words[0]!.start
  const end = words[words.length - 1]!.end
  let names = 0
  let ambiguous = 0
  let unknown = 0
  let initials = 0
  for (const w of words) {
    if (w.cls === NAME) names++
    else if (w.cls === AMBIGUOUS) ambiguous++
    else if (w.initial) initials++
    else unknown++
  }
  const ctx = contextBefore(text, start)
  const strong = leader || ctx === STRONG_CONTEXT
  const weak = strong || ctx === WEAK_CONTEXT
  const atStart = sentenceStart(text, start)
  const parts = names + ambiguous + unknown
  let s = 0
  if (parts >= 2 && (names >= 1 || initials >= 1 || strong)) s = 0.85
  else if (parts >= 2) s = weak ? 0.6 : atStart && !hasNonAscii(text, start, end) ? 0.4 : ambiguous > 0 ? 0.5 : 0.55
  // A lone known name needs some support: context before it, a dialogue label, or a name-like neighbour list.
  else if (names === 1) s = strong ? 0.85 : weak || speaker(text, end) ? 0.6 : atStart ? 0.5 : 0.55
  else if (unknown === 1) s = strong ? 0.8 : 0.2
  else if (ambiguous === 1) s = strong ? 0.7 : 0.2
  if (s === 0) return
  out.push({ type: 'PERSON', start, end, score: s, recognizer: 'person' })
}

function isLeader(text: string, w: Word): boolean {
  const end = text.charCodeAt(w.end - 1) === 46 ? w.end - 1 : w.end
  return end - w.start <= 9 && LEADERS.has(text.slice(w.start, end).toLowerCase())
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
