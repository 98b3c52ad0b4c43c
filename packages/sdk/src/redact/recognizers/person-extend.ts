import type { Finding } from '../recognizer.js'
import { AMBIGUOUS, BREAK, classify, NAME } from './person-lexicon.js'

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
  const c = text.charCodeAt(i)
  return isLetter(c) || ((c === 39 || c === 0x2019 || c === 45) && isLetter(text.charCodeAt(i + 1)))
}

// Words already followed in repeatedMentions(): a handful per text, so a reused array beats a Set per call.
const seen: string[] = []

function repeatedMentions(text: string, out: Finding[], found: number): void {
  seen.length = 0
  for (let f = 0; f < found; f++) {
    const hit = out[f]!
    if (hit.score < 0.5) continue
    let i = hit.start
    while (i < hit.end) {
      while (i < hit.end && !isLetter(text.charCodeAt(i))) i++
      const s = i
      while (i < hit.end && isWordPart(text, i)) i++
      // Initials and short particles ("de", "van") are too common to follow alone.
      if (i - s >= 3 && text.charCodeAt(s) !== 0x3c) {
        const word = text.slice(s, i)
        if (!seen.includes(word)) {
          seen.push(word)
          let at = text.indexOf(word)
          while (at >= 0) {
            const e = at + word.length
            if (!isLetter(text.charCodeAt(at - 1)) && !isWordPart(text, e)) add(out, at, e, 0.6)
            at = text.indexOf(word, e)
          }
        }
      }
    }
  }
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
  for (const conj of CONJUNCTIONS) {
    let at = text.indexOf(conj)
    while (at >= 0) {
      judgeList(text, at, conj.length, out, lowerMode)
      at = text.indexOf(conj, at + conj.length)
    }
  }
}

const itemStart: number[] = []
const itemEnd: number[] = []

function judgeList(text: string, at: number, conjLen: number, out: Finding[], lowerMode: boolean): void {
  itemStart.length = 0
  itemEnd.length = 0
  // The item after the conjunction.
  let e = at + conjLen
  const s = e
  while (e < text.length && isWordPart(text, e)) e++
  if (e - s < 2 || (e < text.length && /[\p{L}\p{N}_@<]/u.test(text[e]!))) return
  itemStart.push(s)
  itemEnd.push(e)
  // Items before it, separated by ", " (an Oxford comma before the conjunction is allowed).
  let i = at
  if (text.charCodeAt(i - 1) === 44) i--
  for (;;) {
    const ie = i
    while (i > 0 && isWordPart(text, i - 1)) i--
    if (ie - i < 2 || isLetter(text.charCodeAt(i - 1))) return
    const prev = text.charCodeAt(i - 1)
    if (prev === 0x3c || prev === 95 || prev === 64 || (prev >= 48 && prev <= 57)) return
    itemStart.push(i)
    itemEnd.push(ie)
    if (itemStart.length > MAX_ITEMS) return
    if (!(prev === 32 && text.charCodeAt(i - 2) === 44)) break
    i -= 2
  }
  const n = itemStart.length
  let upper = 0
  let names = 0
  let ambiguous = 0
  let unknown = 0
  for (let k = 0; k < n; k++) {
    const st = itemStart[k]!
    const c = text[st]!
    if (c !== c.toLowerCase()) upper++
    if (!hasLowerCase(text, st, itemEnd[k]!)) return // acronyms: SQL, AWS
    const cls = classify(text, st, itemEnd[k]!)
    if (cls === BREAK) return
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
