import type { Finding } from '../recognizer.js'
import * as profiles from '../text-profile.js'
import * as lexicons from './person-lexicon.js'
import { ampersandPair } from './person-places.js'

// Bound once to constants of this module: an imported binding is a module-variable load with a hole check on every
// read in the hot loops below (see docs/redaction.md, Speed).
const AMBIGUOUS = lexicons.AMBIGUOUS
const BREAK = lexicons.BREAK
const CASE = lexicons.CASE
const CASED_UPPER = lexicons.CASED_UPPER
const classify = lexicons.classify
const NAME = lexicons.NAME
const capitalPositions = profiles.capitalPositions
const conjunctionPositions = profiles.conjunctionPositions
const textProfile = profiles.textProfile
const codeAt = profiles.codeAt

/**
 * Second-stage PERSON rules that read more than one run of words, applied after the main scan:
 * - repeated mentions: a word of a name found in the text is a name wherever else it stands alone ("Antti
 *   Poutiainen … everyone calls me Antti");
 * - coordinated lists: "Eklund, Michael and Hodge", "silvana, adam, chad and caleb": when the items look like
 *   names as a group (known names among them, no ordinary word), every item is one.
 * Both only add findings; each costs an indexOf per name word or per " and " in the text (`conjunction`: the text
 * holds " and " or " & ", from the text profile).
 *
 * @example
 * extendPersons('founders: Monjeau, Graves and Reed', [], false, true) // adds Monjeau, Graves, Reed
 */
export function extendPersons(text: string, out: Finding[], lowerMode: boolean, conjunction: boolean): void {
  const found = out.length
  if (found > 0) repeatedMentions(text, out, found)
  if (conjunction) coordinatedLists(text, out, lowerMode)
}

const LIST_SCORE = 0.6
const MAX_ITEMS = 12

/** Adds a PERSON finding unless one at 0.5+ overlaps it; a weaker one on the same span is raised instead. */
function add(out: Finding[], start: number, end: number, score: number): void {
  let same: Finding | undefined
  for (const f of out) {
    if (f.start < end && start < f.end && f.score >= 0.5) return
    if (f.start === start && f.end === end) same = f
  }
  if (same) same.score = score
  else out.push({ type: 'PERSON', start, end, score, recognizer: 'person' })
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 0xc0 && c < 0x2000 && c !== 0xd7 && c !== 0xf7)
}

function isWordPart(text: string, i: number): boolean {
  const c = codeAt(text, i)
  return isLetter(c) || ((c === 39 || c === 0x2019 || c === 45) && isLetter(codeAt(text, i + 1)))
}

// Words already followed in repeatedMentions(), as [start, end) ranges of the text: a handful per text, compared in
// place (no slice per word, no Set per call). The first `seenCount` entries are this text's: the arrays are reused
// without truncation, since setting an array's length is a runtime call on every text.
const seenStart: number[] = []
const seenEnd: number[] = []
let seenCount = 0

/** Whether text[s, e) equals a word already followed. */
function seenBefore(text: string, s: number, e: number): boolean {
  const len = e - s
  for (let k = 0; k < seenCount; k++) {
    const from = seenStart[k]!
    if (seenEnd[k]! - from !== len) continue
    let j = 0
    while (j < len && text.charCodeAt(from + j) === text.charCodeAt(s + j)) j++
    if (j === len) return true
  }
  return false
}

/**
 * Adds a finding at every whole-word occurrence of text[s, e), as successive indexOf calls would find them. A word
 * that opens with a capital (or any character from U+00C0) can only occur where the text profile listed one
 * (`positions`, `count`), so only those positions are compared, character by character; other words take indexOf.
 * The word is three characters or longer (repeatedMentions() follows no shorter one).
 */
function mentions(text: string, s: number, e: number, out: Finding[], positions: Int32Array, count: number): void {
  const len = e - s
  const c0 = text.charCodeAt(s)
  if (count < 0 || !((c0 >= 65 && c0 <= 90) || c0 >= 0xc0)) {
    const word = text.slice(s, e)
    for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + len)) mention(text, at, at + len, out)
    return
  }
  // Every capital of the text is tried against each word followed: its first two characters (a word here has three
  // or more) reject almost every position before the loop over the rest.
  const c1 = text.charCodeAt(s + 1)
  const last = text.length - len
  let from = 0
  for (let k = 0; k < count; k++) {
    const at = positions[k]!
    if (at < from || at > last || text.charCodeAt(at) !== c0 || text.charCodeAt(at + 1) !== c1) continue
    let j = 2
    while (j < len && text.charCodeAt(at + j) === text.charCodeAt(s + j)) j++
    if (j < len) continue
    mention(text, at, at + len, out)
    from = at + len
  }
}

function mention(text: string, at: number, e: number, out: Finding[]): void {
  if (!isLetter(codeAt(text, at - 1)) && !isWordPart(text, e)) add(out, at, e, 0.6)
}

function repeatedMentions(text: string, out: Finding[], found: number): void {
  seenCount = 0
  textProfile(text)
  const { positions, count } = capitalPositions()
  for (let f = 0; f < found; f++) {
    const hit = out[f]!
    if (hit.score < 0.5) continue
    let i = hit.start
    while (i < hit.end) {
      while (i < hit.end && !isLetter(text.charCodeAt(i))) i++
      const s = i
      while (i < hit.end && isWordPart(text, i)) i++
      // Initials and short particles ("de", "van") are too common to follow alone.
      if (i - s >= 3 && text.charCodeAt(s) !== 0x3c && !seenBefore(text, s, i)) {
        seenStart[seenCount] = s
        seenEnd[seenCount] = i
        seenCount++
        mentions(text, s, i, out, positions, count)
      }
    }
  }
}

// A letter, digit, `_`, `@` or `<` right after a list item: it runs on into something that is no name.
const CONTINUES = /[\p{L}\p{N}_@<]/u

/** CONTINUES at `i`, with ASCII read from the char code (no one-character string, no regex call). */
function continuesItem(text: string, i: number): boolean {
  const c = text.charCodeAt(i)
  if (c < 128) return isLetter(c) || (c >= 48 && c <= 57) || c === 95 || c === 64 || c === 60
  return CONTINUES.test(text[i]!)
}

/** Whether the character at `i` changes under toLowerCase() (an upper-case letter); ASCII without a string. */
function startsUpper(text: string, i: number): boolean {
  const c = text.charCodeAt(i)
  if (c < 128) return c >= 65 && c <= 90
  if (c < 0x2000) return (CASE[c]! & CASED_UPPER) !== 0
  const ch = text[i]!
  return ch !== ch.toLowerCase()
}

/** Whether text[start, end) holds a letter in `a`–`z` or `à`–`ÿ` (read in place, no slice). */
function hasLowerCase(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i)
    if ((c >= 97 && c <= 122) || (c >= 0xe0 && c <= 0xff)) return true
  }
  return false
}

const CONJUNCTIONS = [' and ', ' & ']

/** Finds "A, B and C" around each conjunction and judges the items as a group. */
function coordinatedLists(text: string, out: Finding[], lowerMode: boolean): void {
  // The text profile lists where each conjunction stands (one pass for the whole text instead of an indexOf each;
  // the profile is memoised, so asking again for the text being scanned costs nothing).
  textProfile(text)
  const { ands, andCount, amps, ampCount } = conjunctionPositions()
  for (const conj of CONJUNCTIONS) {
    const positions = conj === ' & ' ? amps : ands
    const count = conj === ' & ' ? ampCount : andCount
    if (count < 0) {
      for (let at = text.indexOf(conj); at >= 0; at = text.indexOf(conj, at + conj.length))
        judgeList(text, at, conj.length, out, lowerMode)
      continue
    }
    // As successive indexOf calls would: the next occurrence starts after this one ends.
    let from = 0
    for (let k = 0; k < count; k++) {
      const at = positions[k]!
      if (at < from) continue
      judgeList(text, at, conj.length, out, lowerMode)
      from = at + conj.length
    }
  }
}

// The items of the list being judged: at most MAX_ITEMS + 1 (judgeList gives up past that), counted by itemCount.
const itemStart = new Int32Array(MAX_ITEMS + 1)
const itemEnd = new Int32Array(MAX_ITEMS + 1)
let itemCount = 0

function judgeList(text: string, at: number, conjLen: number, out: Finding[], lowerMode: boolean): void {
  itemCount = 0
  // The item after the conjunction.
  let e = at + conjLen
  const s = e
  while (e < text.length && isWordPart(text, e)) e++
  if (e - s < 2 || (e < text.length && continuesItem(text, e))) return
  itemStart[0] = s
  itemEnd[0] = e
  itemCount = 1
  // Items before it, separated by ", " (an Oxford comma before the conjunction is allowed).
  let i = at
  if (codeAt(text, i - 1) === 44) i--
  for (;;) {
    const ie = i
    while (i > 0 && isWordPart(text, i - 1)) i--
    if (ie - i < 2 || isLetter(codeAt(text, i - 1))) return
    const prev = codeAt(text, i - 1)
    if (prev === 0x3c || prev === 95 || prev === 64 || (prev >= 48 && prev <= 57)) return
    itemStart[itemCount] = i
    itemEnd[itemCount] = ie
    itemCount++
    if (itemCount > MAX_ITEMS) return
    if (!(prev === 32 && codeAt(text, i - 2) === 44)) break
    i -= 2
  }
  const n = itemCount
  // Two single words joined by `&` name a firm ("Procter & Gamble", "Marks & Spencer"), not two people.
  if (n === 2 && conjLen === 3) return
  let upper = 0
  let names = 0
  let ambiguous = 0
  let unknown = 0
  for (let k = 0; k < n; k++) {
    const st = itemStart[k]!
    if (startsUpper(text, st)) upper++
    if (!hasLowerCase(text, st, itemEnd[k]!)) return // acronyms: SQL, AWS
    const cls = classify(text, st, itemEnd[k]!)
    // An item that is half of a firm's name ("Johnson and Procter" in "Johnson & Johnson and Procter & Gamble").
    if (cls === BREAK || ampersandPair(text, st, itemEnd[k]!)) return
    if (cls === NAME) names++
    else if (cls === AMBIGUOUS) ambiguous++
    else unknown++
  }
  let ok: boolean
  if (upper === n) ok = n >= 2 && (names >= 1 || (ambiguous >= 1 && unknown >= 1))
  else if (upper === 0 && lowerMode) ok = n >= 3 && names >= 2
  else ok = false
  if (!ok) return
  for (let k = 0; k < n; k++) {
    add(out, itemStart[k]!, itemEnd[k]!, LIST_SCORE)
  }
}
