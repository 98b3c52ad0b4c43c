import type { Finding } from './recognizer.js'
import { fieldValueMark } from './recognizers/person-forms.js'
import { codeAt, SEVEN_DIGITS, sevenDigitChains, textProfile } from './text-profile.js'

/** The output holds nothing any built-in recognizer would find again. */
export const STABLE = 0
/**
 * Every condition below holds but the last: only the phone, card and SSN recognizers (the context-dependent digit
 * recognizers) can find something new in the output, so only they need to read it again.
 */
export const DIGIT_RUNS_ONLY = 1
/** No proof: the whole output must be analysed again. */
export const UNSTABLE = 2
/**
 * Every condition below holds but the name-run and sentence-start ones (and perhaps the last): only the person
 * recognizer, which judges runs of capitalised words and sentence starts, and the three digit recognizers need to
 * read the output again.
 */
export const NAME_RUNS = 3
export type Stability = typeof STABLE | typeof DIGIT_RUNS_ONLY | typeof UNSTABLE | typeof NAME_RUNS

/**
 * Decides, without running the recognizers again, that replacing `kept` with `<TYPE>` tokens cannot make any
 * built-in recognizer find something new in the output. When it says no, the engine re-analyses the output (the
 * slow, always-correct path). The argument, condition by condition:
 *
 * - A new finding in the output that touches a token is dropped anyway, so it would lie in unchanged text; a
 *   built-in recognizer decides from that text, one character around it (lookarounds, run joins, sentence starts)
 *   and distance-based context words (phone, card, SSN, IP windows).
 * - Neighbours: no replaced span is preceded by a word character or by `. , : - + & ? #` (the first characters of
 *   the neighbours' 2-character lookaheads, and characters that continue a number, address or URL into it), nor
 *   by an apostrophe joining a word to its first letter (the person recognizer's `O'Neil` rule); each is followed by whitespace, a quote, closing punctuation or a colon and a space (no neighbour starts on it and
 *   reads its last character). A span that ends in sentence punctuation (`. ! ? :`, a tab or line break) moves a
 *   sentence start, which only the person recognizer reads: NAME_RUNS below.
 * - Name runs: a span ending in a letter right before a capitalised word, or starting with a capital right after
 *   one (or after an initial's dot), may have been part of a longer run of capitalised words; those go the slow
 *   way, and so does a span after a capitalised word and `: ` that opens with a number, price or blank (it made the
 *   word a field's label, where a token reads as a speaker's words). Except a span that opens with two
 *   or more capitals and a digit (`DE63…`, `AKIA…7`): the person recognizer reads that opening as an acronym, a
 *   word that cuts the run exactly where the token's `<` cuts it, and the words before it are judged by the same
 *   characters after them (a space, then no lower-case letter, quote, colon or line break). Only the person
 *   recognizer reads runs of words (every other one decides from the text a finding spans, a character around it and
 *   context windows, which the other conditions cover), so when these are the only conditions that fail, the person
 *   recognizer and the three digit recognizers read the output again, not all of them (NAME_RUNS).
 * - Overlaps: a candidate that only partly overlaps a replaced span leaves a remnant that was never analysed alone.
 * - Context: a candidate below `minScore` (other than PERSON, whose context is adjacency-based and covered above)
 *   may rise when a replacement brings or removes context words; so may a digit run that phone, card or SSN
 *   rejected without a score, which is why a seven-digit run left in the output (when every other condition
 *   holds) sends the output back to those three recognizers alone (DIGIT_RUNS_ONLY). A candidate below `minScore`
 *   from one of those three is the same case (only its own recognizer reads it, and that one reads the output
 *   again), so it asks for DIGIT_RUNS_ONLY too; one from any other recognizer needs the whole analysis.
 */
// `candidates`: the recognizers' result lists of the analysis (the first `lists`), below minScore too.
export function replacementsAreStable(
  text: string,
  candidates: ReadonlyArray<readonly Finding[]>,
  lists: number,
  kept: readonly Finding[],
  minScore: number,
): Stability {
  // A replaced span next to a capitalised word or ending a sentence: the person recognizer reads the output again.
  let nameRun = false
  for (const k of kept) {
    if (k.start > 0 && !safeBefore(text.charCodeAt(k.start - 1))) return UNSTABLE
    if (apostropheJoined(text, k.start)) return UNSTABLE
    if (k.end < text.length && !safeAfter(text.charCodeAt(k.end))) return UNSTABLE
    if (k.end < text.length && text.charCodeAt(k.end) === 58 && !isSpaceOrEnd(text, k.end + 1)) return UNSTABLE
    const first = text.charCodeAt(k.start)
    const last = text.charCodeAt(k.end - 1)
    // Sentence starts after it stay where they were: only the person recognizer reads them.
    if (last === 46 || last === 33 || last === 63 || last === 58 || last === 10 || last === 13 || last === 9)
      nameRun = true
    // A PERSON span too: one found apart from its run (a repeated mention, a run of more than four words) leaves
    // the words before it to be judged as a run of their own once it is a token.
    if (isUpper(first) && capitalisedWordBefore(text, k.start) && !acronymThenDigit(text, k.start)) nameRun = true
    if (isLetter(last) && isUpper(charAfter(text, k.end))) nameRun = true
    // After `Word: `, a span opening with a number, price or blank made `Word` a field's label to the person
    // recognizer (see person-forms.ts); as a token it reads as a speaker's words.
    if (
      k.start >= 2 &&
      text.charCodeAt(k.start - 1) === 32 &&
      text.charCodeAt(k.start - 2) === 58 &&
      fieldValueMark(text.charCodeAt(k.start)) &&
      capitalisedWordBefore(text, k.start - 2)
    )
      nameRun = true
  }
  // Indexed loops: the lists are of two kinds (fresh arrays and the frozen empty one), and for-of over both would
  // allocate an iterator per list.
  let digitContext = false // a phone, card or SSN candidate below minScore: those three read the output again
  for (let l = 0; l < lists; l++) {
    const list = candidates[l]!
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!
      if (c.score < minScore && c.type !== 'PERSON') {
        if (!isDigitContextType(c.type)) return UNSTABLE
        digitContext = true
      }
      for (let j = 0; j < kept.length; j++) {
        const k = kept[j]!
        if (c.start < k.end && k.start < c.end && (c.start < k.start || c.end > k.end)) return UNSTABLE
      }
    }
  }
  if (nameRun) return NAME_RUNS
  return digitContext || sevenDigitRunKept(text, kept) ? DIGIT_RUNS_ONLY : STABLE
}

/**
 * The entity types of the recognizers DIGIT_RUNS_ONLY runs again (phone, card, SSN; contextDigitRecognizers()): with
 * only built-in recognizers, no other one reports them.
 */
function isDigitContextType(type: string): boolean {
  return type === 'PHONE_NUMBER' || type === 'CREDIT_CARD' || type === 'US_SSN'
}

/**
 * Whether the output holds a seven-digit run, read from the original: a `<TYPE>` token holds no digit or separator,
 * so a run in the output lies within the text between two replaced spans (`kept`, ordered and disjoint). Most texts
 * with a run have it replaced (a phone, a card); the output string itself is never scanned, so it stays unflattened
 * until the caller reads it. Only the digit chains the text profile found are read, not every stretch of the text:
 * a seven-digit run lies inside one of them.
 */
export function sevenDigitRunKept(text: string, kept: readonly Finding[]): boolean {
  if ((textProfile(text) & SEVEN_DIGITS) === 0) return false
  const { starts, ends, count } = sevenDigitChains()
  if (count < 0) return sevenDigitRunBetween(text, kept, 0, text.length)
  for (let c = 0; c < count; c++) if (sevenDigitRunBetween(text, kept, starts[c]!, ends[c]!)) return true
  return false
}

/** Whether text[lo, hi) holds a seven-digit run outside every span of `kept`. */
function sevenDigitRunBetween(text: string, kept: readonly Finding[], lo: number, hi: number): boolean {
  let from = 0
  for (let i = 0; i <= kept.length; i++) {
    const to = i < kept.length ? kept[i]!.start : text.length
    const a = Math.max(from, lo)
    const b = Math.min(to, hi)
    if (b - a >= 7 && sevenDigitRun(text, a, b)) return true
    if (i < kept.length) {
      from = kept[i]!.end
      if (from >= hi) return false
    }
  }
  return false
}

/**
 * Whether text[from, to) holds seven digits joined by at most two of ` -.()/+` between neighbours (the text
 * profile's SEVEN_DIGITS, as `/\d(?:[ \-.()/+]{0,2}\d){6}/` on the slice): a char-code walk, where the regex cost a
 * slice and a call for every stretch of text between two replaced spans.
 */
export function sevenDigitRun(text: string, from: number, to: number): boolean {
  let chain = 0 // digits in the current chain
  let gap = 0 // separators since its last digit; 3 once the chain is broken
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      chain = gap <= 2 ? chain + 1 : 1
      if (chain >= 7) return true
      gap = 0
    } else if (c === 32 || c === 45 || c === 46 || c === 40 || c === 41 || c === 47 || c === 43) gap++
    else gap = 3
  }
  return false
}

function safeBefore(c: number): boolean {
  if (isAlnum(c) || c === 95) return false
  // . , : - + & ? #
  return c !== 46 && c !== 44 && c !== 58 && c !== 45 && c !== 43 && c !== 38 && c !== 63 && c !== 35
}

/**
 * A letter, an apostrophe and the span's first letter (`Name'GB82…`): the person recognizer read the apostrophe as
 * inside one word (O'Neil), which the token's `<` cuts, so the word before may now be judged alone.
 */
function apostropheJoined(text: string, at: number): boolean {
  if (at < 2) return false
  const a = text.charCodeAt(at - 1)
  return (a === 39 || a === 0x2019) && isLetter(text.charCodeAt(at - 2)) && isLetter(text.charCodeAt(at))
}

function isSpaceOrEnd(text: string, i: number): boolean {
  if (i >= text.length) return true
  const c = text.charCodeAt(i)
  return c === 32 || c === 9 || c === 10 || c === 13
}

function safeAfter(c: number): boolean {
  return (
    c === 32 ||
    c === 9 ||
    c === 10 ||
    c === 13 ||
    c === 34 ||
    c === 39 ||
    c === 41 ||
    c === 93 ||
    c === 125 ||
    c === 58 ||
    c === 44 ||
    c === 59 ||
    c === 46 ||
    c === 33 ||
    c === 63
  )
}

/** Whether a word starting with a capital ends at most two spaces (and a dot) before `at`. */
function capitalisedWordBefore(text: string, at: number): boolean {
  let i = at - 1
  if (codeAt(text, i) === 32) i--
  if (codeAt(text, i) === 32) i--
  // An initial's or a title's dot (`J. `, `Dr. `): the person recognizer joins the word before it to the run.
  if (codeAt(text, i) === 46) i--
  if (i < 0 || !isLetter(text.charCodeAt(i))) return false
  while (i > 0 && (isLetter(text.charCodeAt(i - 1)) || text.charCodeAt(i - 1) === 39 || text.charCodeAt(i - 1) === 45))
    i--
  return isUpper(text.charCodeAt(i))
}

/** Two or more ASCII capitals from `at`, then a digit: what the person recognizer reads as an acronym. */
function acronymThenDigit(text: string, at: number): boolean {
  let i = at
  while (i < text.length && text.charCodeAt(i) >= 65 && text.charCodeAt(i) <= 90) i++
  const c = codeAt(text, i)
  return i - at >= 2 && c >= 48 && c <= 57
}

/** The first character from `at` that is not a space (at most two skipped), or -1. */
function charAfter(text: string, at: number): number {
  let i = at
  if (codeAt(text, i) === 32) i++
  if (codeAt(text, i) === 32) i++
  return i < text.length ? text.charCodeAt(i) : -1
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || isLetter(c)
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 0xc0
}

/** ASCII capitals, and any non-ASCII letter (which may be one): the safe side. */
function isUpper(c: number): boolean {
  return (c >= 65 && c <= 90) || c >= 0xc0
}
