import { GATE_LITERALS, PREFIXES, SUFFIXES, TYPES } from './recognizers/street-words.js'

/**
 * One pass over a text in JavaScript that answers, for every recognizer at once, whether its patterns can match at
 * all. Each answer is a superset test (never false when the recognizer's own pattern would match), so a recognizer
 * that skips on it behaves exactly as if it had run. The pass costs about as much as one regex scan and replaces a
 * dozen of them per text (keyword gates, digit-run gates, indexOf calls); the result is memoised on the last text,
 * so every recognizer reads the same profile.
 */

/** Seven digits joined by at most two of ` -.()/+` between neighbours (phone, and what the stability check asks). */
export const SEVEN_DIGITS = 1 << 0
/** Twelve digits joined by at most one space or dash: a card candidate. */
export const CARD_RUN = 1 << 1
/** Nine digits joined by at most one of ` -.`: an SSN candidate. */
export const SSN_RUN = 1 << 2
/** `d.d.d.d`: an IPv4 candidate. */
export const DOTTED_QUAD = 1 << 3
/** `:hex{0,4}:`: an IPv6 candidate. */
export const HEX_COLONS = 1 << 4
/** Two ASCII letters and two digits at a word start: an IBAN candidate. */
export const IBAN_HEAD = 1 << 5
/** At least one ASCII digit. */
export const DIGIT = 1 << 6
/** A street word, unit word or address phrase (see streetGateWords); only computed for ASCII texts. */
export const STREET_WORD = 1 << 7
/**
 * A word ending like a compound street name (`…strasse`, `…katu`, `…str.`), one to three whitespace characters, a
 * digit; only computed for ASCII texts.
 */
export const SUFFIX_THEN_NUMBER = 1 << 8
/** A word that opens a provider key (`sk`, `ghp`, `AKIA…`, `eyJ…`, …). */
export const KEY_MARKER = 1 << 9
/** `Bearer`, `Basic` or `Token` as a word. */
export const AUTH_WORD = 1 << 10
/** Five dashes in a row (a PEM armour line). */
export const DASHES = 1 << 11
export const AT = 1 << 12
export const COLON = 1 << 13
export const EQUALS = 1 << 14
export const QUERY = 1 << 15 // `?` or `&`
export const URL_SCHEME = 1 << 16 // `://`
/** ` and ` or ` & `: a coordinated list may stand here. */
export const CONJUNCTION = 1 << 17
/** An ASCII capital other than the pronoun `I` standing alone. */
export const CAPITAL_NOT_I = 1 << 18
/** Any character outside ASCII. */
export const NON_ASCII = 1 << 19
export const DOT = 1 << 20
/** A word ending like a street type or compound street name (or `u.`), one to three spaces, a digit; ASCII texts. */
export const TYPE_TAIL_THEN_NUMBER = 1 << 21
/** A street type as a whole word (`road`, `st`); ASCII texts. */
export const STREET_TYPE_WORD = 1 << 22
/** A street prefix as a whole word (`rua`, `via`, `ul.`); ASCII texts. */
export const STREET_PREFIX_WORD = 1 << 23

// Word tables: FNV-1a hashes of lower-cased ASCII letter runs in a small open-addressing table (no string per word).
const WORD_BITS = 10
const WORD_MASK = (1 << WORD_BITS) - 1
const wordKeys = new Int32Array(1 << WORD_BITS)
const wordValues = new Uint8Array(1 << WORD_BITS)
const W_STREET = 1 // a street or unit word
const W_HEAD = 2 // the first word of an address phrase ("lives", "ship")
const W_TAIL = 4 // the second word of an address phrase ("at", "to")
const W_KEY = 8 // a whole word that opens a provider key ("sk", "ghp")
const W_AUTH = 16
const W_TYPE = 32 // a street type ("road")
const W_PREFIX = 64 // a street prefix ("rua")

function fnv(word: string): number {
  let h = FNV
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), PRIME)
  return h | 1
}
const FNV = 0x811c9dc5 | 0
const PRIME = 0x01000193

function addWord(word: string, flag: number): void {
  const h = fnv(word.toLowerCase())
  let slot = h & WORD_MASK
  while (wordKeys[slot] !== 0 && wordKeys[slot] !== h) slot = (slot + 1) & WORD_MASK
  wordKeys[slot] = h
  wordValues[slot] = wordValues[slot]! | flag
}

function wordFlags(h: number): number {
  let slot = h & WORD_MASK
  for (;;) {
    const k = wordKeys[slot]!
    if (k === 0) return 0
    if (k === h) return wordValues[slot]!
    slot = (slot + 1) & WORD_MASK
  }
}

/**
 * Registers the words of the street-address gate: every ASCII word the recognizer's keyword gate accepts (street
 * types, prefixes, unit words; `av.` as `av`) and its address phrases (`lives at`) as head and second word. Words
 * with letters outside ASCII need not be listed: texts with such characters take the recognizer's own regex gate.
 */
function streetGateWords(literals: readonly string[]): void {
  for (const w of literals) {
    if (/[^ -~]/.test(w)) continue // a letter outside ASCII
    const words = w.split(' ')
    if (words.length > 1) {
      addWord(words[0]!, W_HEAD)
      addWord(words[1]!, W_TAIL)
    } else if (/[A-Za-z]/.test(w)) addWord(w.replace(/[^A-Za-z]/g, ''), W_STREET)
  }
}

streetGateWords(GATE_LITERALS)

// Word endings before a house number, hashed backwards from the last letter (so one hash serves every length): the
// ASCII street suffixes (`strasse`, `katu`, `str.`) and street types (`road`, `st`, `u.`), cut to their last four
// letters; an ending with a dot is told apart by DOT_TAIL.
const TAIL_BITS = 9
const tailKeys = new Int32Array(1 << TAIL_BITS)
const tailValues = new Uint8Array(1 << TAIL_BITS)
const T_SUFFIX = 1
const T_TYPE = 2
const DOT_TAIL = 0x5bd1e995

function addTail(literal: string, flag: number): void {
  if (/[^ -~]/.test(literal)) return // a letter outside ASCII: those texts take the regex gates
  const dot = literal.endsWith('.')
  const letters = literal
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase()
    .slice(-4)
  let h = FNV
  for (let i = letters.length - 1; i >= 0; i--) h = Math.imul(h ^ letters.charCodeAt(i), PRIME)
  const key = (h | 1) ^ (dot ? DOT_TAIL : 0)
  let slot = key & ((1 << TAIL_BITS) - 1)
  while (tailKeys[slot] !== 0 && tailKeys[slot] !== key) slot = (slot + 1) & ((1 << TAIL_BITS) - 1)
  tailKeys[slot] = key
  tailValues[slot] = tailValues[slot]! | flag
}

function tailFlags(key: number): number {
  let slot = key & ((1 << TAIL_BITS) - 1)
  for (;;) {
    const k = tailKeys[slot]!
    if (k === 0) return 0
    if (k === key) return tailValues[slot]!
    slot = (slot + 1) & ((1 << TAIL_BITS) - 1)
  }
}

for (const s of SUFFIXES.replace(/\\/g, '').split('|')) addTail(s, T_SUFFIX | T_TYPE)
for (const t of [...TYPES.split('|'), 'u.']) addTail(t, T_TYPE)
// `p.o. box`, `p o box`, `p.obox`, `pobox`: the letter run that ends the post-box form.
for (const w of ['box', 'obox', 'pobox']) addWord(w, W_STREET)
for (const w of TYPES.split('|')) addWord(w, W_TYPE)
for (const w of PREFIXES.split('|')) if (!/[^ -~]/.test(w)) addWord(w.replace(/[^A-Za-z]/g, ''), W_PREFIX)

// Provider key openers as ASCII letter runs (the run before `-`/`_`), and the 3- and 4-letter prefixes of runs.
for (const w of ['sk', 'rk', 'pk', 'ghp', 'gho', 'ghu', 'ghs', 'ghr', 'github', 'glpat', 'whsec', 'hf', 'npm'])
  addWord(w, W_KEY)
for (const w of ['bearer', 'basic', 'token']) addWord(w, W_AUTH)

let lastText: string | null = null
let lastProfile = 0
let lastFirstLetter = -1

/**
 * The feature bits of `text` (the constants above), memoised on the last text.
 *
 * @example
 * (textProfile('call (415) 555-0132') & SEVEN_DIGITS) !== 0 // true
 */
export function textProfile(text: string): number {
  if (text !== lastText) {
    lastText = text
    lastProfile = scan(text)
  }
  return lastProfile
}

// Positions of every ASCII capital and every character from U+00C0 up (where a capitalised word may open), in text
// order; capCount is -1 when a text holds more than fit.
const MAX_CAPS = 4096
const caps = new Int32Array(MAX_CAPS)
let capCount = 0

/**
 * Positions where a capitalised word may open in the last profiled text: every ASCII capital and every character
 * from U+00C0 up, in order (read `count` entries; -1 when the text held more than fit). The PERSON scan walks these
 * instead of every character.
 */
export function capitalPositions(): { positions: Int32Array; count: number } {
  return { positions: caps, count: capCount }
}

// Where ` and ` and ` & ` stand (the index of their leading space), in text order; -1 when more than fit.
const MAX_CONJUNCTIONS = 64
const ands = new Int32Array(MAX_CONJUNCTIONS)
const amps = new Int32Array(MAX_CONJUNCTIONS)
let andCount = 0
let ampCount = 0

/**
 * Where the last profiled text holds ` and ` (case as written) and ` & `: the index of the leading space, in order
 * (`count` -1 when the text held more than fit). Coordinated lists of names are looked for around these.
 */
export function conjunctionPositions(): { ands: Int32Array; andCount: number; amps: Int32Array; ampCount: number } {
  return { ands, andCount, amps, ampCount }
}

/** Index of the first letter in `[A-Za-z\u00C0-\u024F]` of the last profiled text, or -1 (read after textProfile). */
export function firstLetterIndex(): number {
  return lastFirstLetter
}

function isAsciiLetter(c: number): boolean {
  return ((c | 32) - 97) >>> 0 < 26
}

function isDigit(c: number): boolean {
  return (c - 48) >>> 0 < 10
}

function isHex(c: number): boolean {
  return isDigit(c) || ((c | 32) - 97) >>> 0 < 6
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13)
}

// Separators that keep a digit chain going: 1 for the seven-digit chain (` -.()/+`), 2 for cards (` -`), 4 for SSNs
// (` -.`).
const SEP = new Uint8Array(128)
for (const ch of ' -.()/+') SEP[ch.charCodeAt(0)]! |= 1
for (const ch of ' -') SEP[ch.charCodeAt(0)]! |= 2
for (const ch of ' -.') SEP[ch.charCodeAt(0)]! |= 4
// ASCII punctuation that sets a bit of its own; every other non-alphanumeric ASCII character (space above all) costs
// one table read.
const SPECIAL = new Uint8Array(128)
for (const ch of ':@=.?&-') SPECIAL[ch.charCodeAt(0)] = 1
const HASH_AND = fnv('and')

// Hot loop over char codes, run by run: a letter run is hashed while read and looked up once at its end; a digit run
// extends three digit chains, judged once per run from the characters between it and the previous run; other
// characters cost a table read unless they are one of SPECIAL. Indices are checked before every look-behind or
// look-ahead so charCodeAt never leaves the string (a NaN would deoptimise the loop).
function scan(text: string): number {
  const n = text.length
  let bits = 0
  let firstLetter = -1
  // Digit chains: digits so far in the seven-digit, card and SSN chains, dotted runs, and where the last run ended.
  let seven = 0
  let card = 0
  let ssn = 0
  let quadDots = 0
  let lastDigitEnd = -9
  // The previous letter run's word flags and end, for two-word address phrases.
  let prevFlags = 0
  let prevEnd = -2
  let nCaps = 0
  let nAnds = 0
  let nAmps = 0
  let i = 0
  while (i < n) {
    let c = text.charCodeAt(i)
    if (isAsciiLetter(c)) {
      const start = i
      if (firstLetter < 0) firstLetter = i
      let h = Math.imul(FNV ^ (c | 32), PRIME)
      let upper = 0
      if (c < 97) {
        upper = 1
        if (nCaps < MAX_CAPS) caps[nCaps] = i
        nCaps++
      }
      for (i++; i < n; i++) {
        c = text.charCodeAt(i)
        if (!isAsciiLetter(c)) break
        h = Math.imul(h ^ (c | 32), PRIME)
        if (c < 97) {
          upper = 1
          if (nCaps < MAX_CAPS) caps[nCaps] = i
          nCaps++
        }
      }
      h |= 1
      const len = i - start
      // A capital in a word of two letters or more, or a lone capital other than the pronoun I.
      if (upper !== 0 && (len > 1 || text.charCodeAt(start) !== 73)) bits |= CAPITAL_NOT_I
      const f = wordFlags(h)
      if (f !== 0) {
        if (f & W_STREET) bits |= STREET_WORD
        if (f & W_KEY) bits |= KEY_MARKER
        if (f & W_AUTH) bits |= AUTH_WORD
        if (f & W_TYPE) bits |= STREET_TYPE_WORD
        if (f & W_PREFIX) bits |= STREET_PREFIX_WORD
        if (f & W_TAIL && prevFlags & W_HEAD && prevEnd === start - 1 && text.charCodeAt(prevEnd) === 32)
          bits |= STREET_WORD
      }
      if (h === HASH_AND && start > 0 && i < n && text.charCodeAt(start - 1) === 32 && text.charCodeAt(i) === 32) {
        bits |= CONJUNCTION
        if (text.charCodeAt(start) === 97 && text.charCodeAt(start + 1) === 110 && text.charCodeAt(start + 2) === 100) {
          if (nAnds < MAX_CONJUNCTIONS) ands[nAnds] = start - 1
          nAnds++
        }
      }
      // Only runs opening with x, e or A can open a key without a separator (`xox`, `eyJ`, `AKIA`).
      const first = text.charCodeAt(start)
      if (len >= 3 && (first === 120 || first === 101 || first === 65) && keyPrefix(text, start, len))
        bits |= KEY_MARKER
      prevFlags = f
      prevEnd = i
      continue
    }
    if (isDigit(c)) {
      const start = i
      for (i++; i < n && isDigit(text.charCodeAt(i)); i++);
      const d = i - start
      bits |= DIGIT
      // The separator characters since the previous digit run decide which chains go on.
      const gap = start - lastDigitEnd
      const seps = gap <= 2 ? gapSeparators(text, lastDigitEnd, start) : 0
      seven = seps & 1 ? seven + d : d
      card = gap <= 1 && seps & 2 ? card + d : d
      ssn = gap <= 1 && seps & 4 ? ssn + d : d
      if (seven >= 7) bits |= SEVEN_DIGITS
      if (card >= 12) bits |= CARD_RUN
      if (ssn >= 9) bits |= SSN_RUN
      lastDigitEnd = i
      if (start > 0) {
        const p = text.charCodeAt(start - 1)
        quadDots = p === 46 && gap === 1 ? quadDots + 1 : 0
        if (quadDots >= 3) bits |= DOTTED_QUAD
        if (
          d >= 2 &&
          start >= 2 &&
          isAsciiLetter(p) &&
          isAsciiLetter(text.charCodeAt(start - 2)) &&
          (start === 2 || !isAsciiAlnum(text.charCodeAt(start - 3)))
        )
          bits |= IBAN_HEAD
        if (isSpace(p)) bits |= streetTail(text, start)
      }
      continue
    }
    if (c < 128) {
      if (SPECIAL[c] !== 0) {
        const b = special(text, i, c)
        if (b & CONJUNCTION) {
          if (nAmps < MAX_CONJUNCTIONS) amps[nAmps] = i - 1
          nAmps++
        }
        bits |= b
      }
    } else {
      bits |= NON_ASCII
      if (c >= 0xc0) {
        if (firstLetter < 0 && c <= 0x24f) firstLetter = i
        if (nCaps < MAX_CAPS) caps[nCaps] = i
        nCaps++
      }
    }
    i++
  }
  lastFirstLetter = firstLetter
  capCount = nCaps <= MAX_CAPS ? nCaps : -1
  andCount = nAnds <= MAX_CONJUNCTIONS ? nAnds : -1
  ampCount = nAmps <= MAX_CONJUNCTIONS ? nAmps : -1
  return bits
}

/**
 * Which chains the characters between two digit runs keep going (SEP bits): all of them must be separators of that
 * chain; none between two runs (`gap` 0) cannot happen, runs are maximal.
 */
function gapSeparators(text: string, from: number, to: number): number {
  let seps = 7
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k)
    seps &= c < 128 ? SEP[c]! : 0
  }
  return seps
}

/** Bits for one of the SPECIAL characters at `i`. */
function special(text: string, i: number, c: number): number {
  switch (c) {
    case 58: {
      let bits = COLON | hexColons(text, i)
      if (i + 2 < text.length && text.charCodeAt(i + 1) === 47 && text.charCodeAt(i + 2) === 47) bits |= URL_SCHEME
      return bits
    }
    case 64:
      return AT
    case 61:
      return EQUALS
    case 46:
      return DOT
    case 63:
      return QUERY
    case 38:
      return i > 0 && text.charCodeAt(i - 1) === 32 && text.charCodeAt(i + 1) === 32 ? QUERY | CONJUNCTION : QUERY
    default:
      // `-----`: the first dash of five.
      return (i === 0 || text.charCodeAt(i - 1) !== 45) && text.startsWith('----', i + 1) ? DASHES : 0
  }
}

/**
 * Whether the run's first letters open a provider key that starts without a separator: `xox…`, `eyJ…` (case
 * matters, as in the key alternation), `AKIA`, `ASIA`, `AGPA`, `AIDA`, `AIPA`, `AIza`, `AROA`, `ANPA`, `ANVA`.
 */
function keyPrefix(text: string, start: number, len: number): boolean {
  const c0 = text.charCodeAt(start)
  const c1 = text.charCodeAt(start + 1)
  const c2 = text.charCodeAt(start + 2)
  if (c0 === 120) return c1 === 111 && c2 === 120 // xox
  if (c0 === 101) return c1 === 121 && c2 === 74 // eyJ
  if (c0 !== 65 || len < 4) return false
  const c3 = text.charCodeAt(start + 3)
  if (c3 !== 65) return c1 === 73 && c2 === 122 && c3 === 97 // AIza
  const pair = (c1 << 8) | c2
  // KI SI GP ID IP RO NP NV
  return (
    pair === 0x4b49 ||
    pair === 0x5349 ||
    pair === 0x4750 ||
    pair === 0x4944 ||
    pair === 0x4950 ||
    pair === 0x524f ||
    pair === 0x4e50 ||
    pair === 0x4e56
  )
}

function isAsciiAlnum(c: number): boolean {
  return isAsciiLetter(c) || isDigit(c)
}

/**
 * SUFFIX_THEN_NUMBER and TYPE_THEN_NUMBER for the number at `at`: the word before one to three whitespace characters
 * (spaces only for the type form) ends in one of the street-type or suffix tails (its last two, three or four
 * letters; `str.` and `u.` with their dot).
 */
function streetTail(text: string, at: number): number {
  let k = at - 1
  let spacesOnly = true
  while (k > at - 4 && k > 0 && isSpace(text.charCodeAt(k))) {
    if (text.charCodeAt(k) !== 32) spacesOnly = false
    k--
  }
  if (isSpace(text.charCodeAt(k))) return 0
  let dot = false
  if (text.charCodeAt(k) === 46) {
    dot = true
    k--
  }
  // The last four letters, lower-cased, hashed from the end: tails of two, three and four letters.
  let flags = 0
  let h = FNV
  for (let len = 1; len <= 4 && k >= 0 && isAsciiLetter(text.charCodeAt(k)); len++, k--) {
    h = Math.imul(h ^ (text.charCodeAt(k) | 32), PRIME)
    flags |= tailFlags((h | 1) ^ (dot ? DOT_TAIL : 0))
  }
  let bits = 0
  if (flags & T_SUFFIX) bits |= SUFFIX_THEN_NUMBER
  if (flags & T_TYPE && spacesOnly) bits |= TYPE_TAIL_THEN_NUMBER
  return bits
}

/** HEX_COLONS when the colon at `i` closes `:hex{0,4}:`. */
function hexColons(text: string, i: number): number {
  let k = i - 1
  while (k >= 0 && i - k <= 5 && isHex(text.charCodeAt(k))) k--
  return k >= 0 && i - k <= 5 && text.charCodeAt(k) === 58 ? HEX_COLONS : 0
}
