import * as words from './text-words.js'

// The word tables' functions, flags and the hash of `and`, copied into this module: an imported binding is a
// module-variable load with a hole check on every read in the scan loop below, a constant of the module is not.
const keyPrefix = words.keyPrefix
const secretKeyBefore = words.secretKeyBefore
const streetTail = words.streetTail
const wordFlags = words.wordFlags
const HASH_AND = words.HASH_AND
const T_SUFFIX = words.T_SUFFIX
const T_TYPE = words.T_TYPE
const W_AUTH = words.W_AUTH
const W_HEAD = words.W_HEAD
const W_KEY = words.W_KEY
const W_PREFIX = words.W_PREFIX
const W_STREET = words.W_STREET
const W_TAIL = words.W_TAIL
const W_ADDRESS_KEY = words.W_ADDRESS_KEY
const W_TYPE = words.W_TYPE
const W_UNIT = words.W_UNIT
const W_NAME = words.W_NAME
const W_SECRET = words.W_SECRET
const W_SECRET_HEAD = words.W_SECRET_HEAD
const W_SECRET_TAIL = words.W_SECRET_TAIL
const W_GERMAN = words.W_GERMAN
const W_DOT = words.W_DOT
const W_GREETING = words.W_GREETING

/**
 * One pass over a text in JavaScript that answers, for every recognizer at once, whether its patterns can match at
 * all. Each answer is a superset test (never false when the recognizer's own pattern would match), so a recognizer
 * that skips on it behaves exactly as if it had run (text-profile.test.ts checks each bit against its pattern). The
 * pass costs about 0.5 µs for a 90-character text and replaces about twenty regex gates and indexOf calls per text;
 * the result is memoised on the last text, so every recognizer (and the engine, which skips the recognizers whose
 * bits are missing) reads the same profile.
 */

/** Seven digits joined by at most two of ` -.()/+` between neighbours (phone, and what the stability check asks). */
export const SEVEN_DIGITS = 1 << 0
/** Twelve digits joined by at most one space, dash or dot: a card candidate. */
export const CARD_RUN = 1 << 1
/**
 * An SSN's shape at the start of a number: nine digits alone, or 3, 2 and 4 digits joined by one separator (` -.`)
 * used twice.
 */
export const SSN_SHAPE = 1 << 2
/** `d.d.d.d`: an IPv4 candidate. */
export const DOTTED_QUAD = 1 << 3
/** `:hex{0,4}:`: an IPv6 candidate. */
export const HEX_COLONS = 1 << 4
/** Two ASCII letters and two digits at a word start: an IBAN candidate. */
export const IBAN_HEAD = 1 << 5
/** At least one ASCII digit. */
export const DIGIT = 1 << 6
/** A street word, unit word or address phrase in ASCII letters, as a whole word (see text-words.ts). */
export const STREET_WORD = 1 << 7
/**
 * A word ending like a compound street name (`…strasse`, `…katu`, `…str.`), one to three whitespace characters, a
 * digit; ASCII whitespace only, so it answers for texts in ASCII.
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
/**
 * A word ending like a street type or compound street name (or `u.`), one to three spaces, a digit; its ending is read
 * in ASCII letters, so it answers for texts in ASCII.
 */
export const TYPE_TAIL_THEN_NUMBER = 1 << 21
/** A street type as a whole word (`road`, `st`). */
export const STREET_TYPE_WORD = 1 << 22
/** A street prefix in ASCII letters as a whole word (`rua`, `via`, `ul.`). */
export const STREET_PREFIX_WORD = 1 << 23
/** A unit or post-box keyword as a whole word (`apt`, `suite`, `box`, `psc`, `apo`). */
export const STREET_UNIT_WORD = 1 << 24
/** `:` or `=` after a key ending in a secret word (`password`, `api_key`, `token`): a secret assignment may stand here. */
export const SECRET_KEY_ASSIGNMENT = 1 << 25
/**
 * What the address-context pattern opens with: a word starting `address`, or a phrase head (`lives`, `ship`,
 * `send`, …) and one space before a word starting like the phrase goes on (`at`, `to`, `in`, `it`, `th…`, `me`, `a`).
 */
export const ADDRESS_PHRASE = 1 << 26
/** `name is ` or `name's ` (any case): a name may follow, written in lower case too ("my name is carlos"). */
export const NAME_IS = 1 << 27
/**
 * A word that opens a secret told in prose (`password`, `Passwort`, `contraseña`, `token`, `login`, `mysql`, `api key`
 * with one space): secret-prose.ts reads the words after it.
 */
export const SECRET_WORD = 1 << 28
/**
 * Two or more German function words that English does not share (`und`, `nicht`, `ich`; GERMAN_WORDS in
 * text-words.ts): the text reads as German, where every noun is capitalised, so PERSON wants more than capitals.
 */
export const GERMAN_TEXT = 1 << 29
/** The word `dot` (any case): a mail address may be spelled out here (`ana [at] example [dot] com`). */
export const DOT_WORD = 1 << 30
/** A greeting word ("hi", "hola", "salut"): a name in lower case may follow (person-structure.ts). The sign bit. */
export const GREETING_WORD = 1 << 31

let lastText: string | null = null
let lastProfile = 0
let lastFirstLetter = -1
let lastFirstDigit = -1
let lastDigitsEnd = 0

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

// Where a name may follow `name is ` / `name's ` (the index after the phrase's last space), in text order; -1 when
// more than fit.
const MAX_NAME_IS = 8
const nameIs = new Int32Array(MAX_NAME_IS)
let nameIsCount = 0

/**
 * Where the last profiled text holds `name is ` or `name's ` (NAME_IS): the index right after the phrase, where the
 * name starts (`count` -1 when the text held more than fit).
 */
export function nameIsPositions(): { positions: Int32Array; count: number } {
  return { positions: nameIs, count: nameIsCount }
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

// Where the digit chains of SEVEN_DIGITS stand (first digit, end of last digit), in text order; -1 when more than fit.
const MAX_SEVEN_CHAINS = 16
const sevenStarts = new Int32Array(MAX_SEVEN_CHAINS)
const sevenEnds = new Int32Array(MAX_SEVEN_CHAINS)
let sevenCount = 0

/**
 * The maximal chains of seven or more digits (SEVEN_DIGITS) of the last profiled text: `starts[k]` is a chain's first
 * digit, `ends[k]` the index after its last; `count` -1 when the text held more than fit. Every seven-digit run of the
 * text lies inside one of them, so a test for such a run reads these stretches instead of the whole text.
 */
export function sevenDigitChains(): { starts: Int32Array; ends: Int32Array; count: number } {
  return { starts: sevenStarts, ends: sevenEnds, count: sevenCount }
}

// Where `:hex{0,4}:` stands (the index of its first colon), in text order; -1 when more than fit. Written by
// hexColons() during the scan.
const MAX_HEX_COLONS = 16
const hexStarts = new Int32Array(MAX_HEX_COLONS)
let hexCount = 0
let lastFirstQuad = -1
let lastPostcodeAfterNumber = -1
let lastFirstCard = -1
let lastFirstSsn = -1
// The colon of the first `://`, or -1; written by special() during the scan.
let firstScheme = -1

/**
 * The first colon of every `:hex{0,4}:` of the last profiled text (HEX_COLONS), in order (`count` -1 when the text
 * held more than fit). Every IPv6 candidate holds one within its first five characters, so a search for one tries
 * only the four positions before each of these and the colon itself.
 */
export function hexColonStarts(): { starts: Int32Array; count: number } {
  return { starts: hexStarts, count: hexCount }
}

/**
 * Index of the first digit of the first run of four digit groups joined by single dots (DOTTED_QUAD) of the last
 * profiled text, or -1: no dotted-quad candidate opens before it, so a search for one starts there instead of at
 * the first digit.
 */
/**
 * Where the text's first run of three to five digits stands right after a number and `, ` or a line break (`Kouter
 * 29, 9000 Gent`, `Palackého 4, 779 00 Olomouc`, `Am Kupferhammer 3\n58762 Altena`), or -1: a house number and a postcode, the shape of an address without a street
 * word. The text profile's STREET_WORD bit is set with it, so the street recognizer runs.
 */
export function postcodeAfterNumberIndex(): number {
  return lastPostcodeAfterNumber
}

export function firstQuadIndex(): number {
  return lastFirstQuad
}

/**
 * Index of the first digit of the first card chain (CARD_RUN: twelve digits joined by at most one space or dash) of
 * the last profiled text, or -1: no card candidate opens before it.
 */
export function firstCardIndex(): number {
  return lastFirstCard
}

/** Index of the first digit run of the last profiled text that has an SSN's shape (SSN_SHAPE), or -1. */
export function firstSsnIndex(): number {
  return lastFirstSsn
}

/**
 * Index of the colon of the first `://` (URL_SCHEME) of the last profiled text, or -1: a pattern that holds a scheme
 * of at most `n` characters before it opens no earlier than `n` characters before this.
 */
export function firstSchemeIndex(): number {
  return firstScheme
}

/** Index of the first letter in `[A-Za-z\u00C0-\u024F]` of the last profiled text, or -1 (read after textProfile). */
export function firstLetterIndex(): number {
  return lastFirstLetter
}

/** Index of the first ASCII digit of the last profiled text, or -1 (read after textProfile). */
export function firstDigitIndex(): number {
  return lastFirstDigit
}

/**
 * Index just past the last ASCII digit of the last profiled text, or 0 (read after textProfile). A global pattern
 * whose every match holds a digit finds nothing once its lastIndex reaches this: the loops that scan for one stop
 * there instead of paying a last exec() that scans the rest of the text to return null.
 */
export function digitsEnd(): number {
  return lastDigitsEnd
}

// FNV-1a constants (as text-words.ts hashes its words), local so the hot loop reads constants, not module bindings.
const FNV = 0x811c9dc5 | 0
const PRIME = 0x01000193

// Character tests of the hot loop, local to this module (not imported from text-words.ts) so V8 inlines them.
function isAsciiLetter(c: number): boolean {
  return ((c | 32) - 97) >>> 0 < 26
}

function isDigit(c: number): boolean {
  return (c - 48) >>> 0 < 10
}

function isAsciiAlnum(c: number): boolean {
  return isAsciiLetter(c) || isDigit(c)
}

function isHex(c: number): boolean {
  return isDigit(c) || ((c | 32) - 97) >>> 0 < 6
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13)
}

// Separators that keep a digit chain going: 1 for the seven-digit chain (` -.()/+`), 2 for cards (` -.`).
const SEP = new Uint8Array(128)
for (const ch of ' -.()/+') SEP[ch.charCodeAt(0)]! |= 1
for (const ch of ' -.') SEP[ch.charCodeAt(0)]! |= 2
// ASCII punctuation that sets a bit of its own; every other non-alphanumeric ASCII character (space above all) costs
// one table read.
const SPECIAL = new Uint8Array(128)
for (const ch of ':@=.?&-') SPECIAL[ch.charCodeAt(0)] = 1
// Latin letters from U+00C0 to U+017F that tell German from its neighbours: 2 for ü and ß, which German writes far more
// often than the languages around it, and 4 for letters German never writes (å ø æ ş ğ ı ő ű õ), which mark a Nordic
// language, Turkish, Hungarian or Estonian.
const LATIN_MARK = new Uint8Array(0xc0)
for (const ch of 'üÜß') LATIN_MARK[ch.charCodeAt(0) - 0xc0] = 2
for (const ch of 'åÅøØæÆşŞğĞıőŐűŰõÕ') LATIN_MARK[ch.charCodeAt(0) - 0xc0] = 4

// Hot loop over char codes, run by run: a letter run is hashed while read and looked up once at its end; a digit run
// extends three digit chains, judged once per run from the characters between it and the previous run; other
// characters cost a table read unless they are one of SPECIAL. Indices are checked before every look-behind or
// look-ahead so charCodeAt never leaves the string (a NaN would deoptimise the loop).
function scan(text: string): number {
  const n = text.length
  let bits = 0
  let firstLetter = -1
  let firstDigit = -1
  // Digit chains: digits so far in the seven-digit and card chains, dotted runs, and where the last run ended.
  let seven = 0
  let sevenStart = 0 // first digit of the current seven-digit chain
  let nSeven = 0 // chains of seven digits recorded
  let card = 0
  let cardStart = 0 // first digit of the current card chain
  let firstCard = -1
  let firstSsn = -1
  let quadDots = 0
  let quadStart = 0 // first digit of the current chain of dot-joined runs
  let firstQuad = -1
  let postcodeAfterNumber = -1
  let lastDigitEnd = -9
  // The previous letter run's word flags and end, for two-word address phrases.
  let prevFlags = 0
  let prevEnd = -2
  let nCaps = 0
  let nAnds = 0
  let nAmps = 0
  let nNameIs = 0
  let german = 0 // German function words seen
  let marks = 0 // LATIN_MARK bits seen
  hexCount = 0
  firstScheme = -1
  let i = 0
  while (i < n) {
    let c = text.charCodeAt(i)
    // ASCII letter tests written out in the two hottest places: V8 does not always inline the helper here.
    if (((c | 32) - 97) >>> 0 < 26) {
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
        if (((c | 32) - 97) >>> 0 >= 26) break
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
        if (f & W_UNIT) bits |= STREET_UNIT_WORD
        if (f & W_TAIL && prevFlags & W_HEAD && prevEnd === start - 1 && text.charCodeAt(prevEnd) === 32)
          bits |= STREET_WORD
        if (f & W_GERMAN && ++german === 2) bits |= GERMAN_TEXT
        if (f & W_DOT) bits |= DOT_WORD
        if (f & W_GREETING) bits |= GREETING_WORD
        if (f & W_ADDRESS_KEY) bits |= ADDRESS_PHRASE | STREET_WORD
        if (f & W_SECRET) bits |= SECRET_WORD
        // `key-` and 32 hex digits: a Mailgun key.
        else if (f & W_SECRET_TAIL && i < n && text.charCodeAt(i) === 45) bits |= KEY_MARKER
        else if (
          f & W_SECRET_TAIL &&
          prevFlags & W_SECRET_HEAD &&
          prevEnd === start - 1 &&
          text.charCodeAt(prevEnd) === 32
        )
          bits |= SECRET_WORD
        if (f & W_NAME && i + 2 < n) {
          const after = nameIsEnd(text, i)
          if (after > 0) {
            bits |= NAME_IS
            if (nNameIs < MAX_NAME_IS) nameIs[nNameIs] = after
            nNameIs++
          }
        }
      }
      if (prevFlags & W_HEAD && prevEnd === start - 1 && text.charCodeAt(prevEnd) === 32 && phraseNext(text, start))
        bits |= ADDRESS_PHRASE
      if (len >= 7 && (text.charCodeAt(start) | 32) === 97 && opensAddress(text, start)) bits |= ADDRESS_PHRASE
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
    // A space, the most common character between runs, sets no bit: skip the digit and table tests.
    if (c === 32) {
      i++
      continue
    }
    if (isDigit(c)) {
      const start = i
      if (firstDigit < 0) firstDigit = i
      for (i++; i < n && isDigit(text.charCodeAt(i)); i++);
      const d = i - start
      bits |= DIGIT
      // The separator characters since the previous digit run decide which chains go on.
      const gap = start - lastDigitEnd
      const seps = gap <= 2 ? gapSeparators(text, lastDigitEnd, start) : 0
      if (
        d >= 3 &&
        d <= 5 &&
        postcodeAfterNumber < 0 &&
        gap >= 1 &&
        gap <= 18 &&
        postcodeGap(text, lastDigitEnd, start)
      ) {
        postcodeAfterNumber = start
        bits |= STREET_WORD
      }
      if (seps & 1) seven += d
      else {
        seven = d
        sevenStart = start
      }
      if (gap <= 1 && seps & 2) card += d
      else {
        card = d
        cardStart = start
      }
      if (seven >= 7) {
        bits |= SEVEN_DIGITS
        // The chain's entry: a new one when it just reached seven digits, else its end moves on.
        if (seven - d < 7) {
          if (nSeven < MAX_SEVEN_CHAINS) sevenStarts[nSeven] = sevenStart
          nSeven++
        }
        if (nSeven <= MAX_SEVEN_CHAINS) sevenEnds[nSeven - 1] = i
      }
      if (card >= 12) {
        bits |= CARD_RUN
        if (firstCard < 0) firstCard = cardStart
      }
      if ((d === 9 || d === 3) && ssnShape(text, start, i, d)) {
        bits |= SSN_SHAPE
        if (firstSsn < 0) firstSsn = start
      }
      lastDigitEnd = i
      if (start > 0) {
        const p = text.charCodeAt(start - 1)
        quadDots = p === 46 && gap === 1 ? quadDots + 1 : 0
        if (quadDots === 0) quadStart = start
        else if (quadDots >= 3) {
          bits |= DOTTED_QUAD
          if (firstQuad < 0) firstQuad = quadStart
        }
        if (
          d >= 2 &&
          start >= 2 &&
          isAsciiLetter(p) &&
          isAsciiLetter(text.charCodeAt(start - 2)) &&
          (start === 2 || !isAsciiAlnum(text.charCodeAt(start - 3)))
        )
          bits |= IBAN_HEAD
        if (isSpace(p)) {
          const tail = streetTail(text, start)
          if (tail & T_SUFFIX) bits |= SUFFIX_THEN_NUMBER
          if (tail & T_TYPE) bits |= TYPE_TAIL_THEN_NUMBER
        }
      }
      continue
    }
    if (c < 128) {
      // A dot, the most common of them (a sentence end), sets its bit here: special() is a call.
      if (c === 46) bits |= DOT
      else if (SPECIAL[c] !== 0) {
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
        if (c < 0x180) marks |= LATIN_MARK[c - 0xc0]!
      }
    }
    i++
  }
  // German with one of its function words only, where umlauts with ü or ß among them and no neighbour's letter say
  // the rest ("Wetter für Dresden am Sonntag … mit 12 km/h"). Tables and lists without one stay as they are: their
  // cells are often names.
  if (german === 1 && (marks & 6) === 2) bits |= GERMAN_TEXT
  lastFirstLetter = firstLetter
  lastFirstDigit = firstDigit
  lastDigitsEnd = Math.max(lastDigitEnd, 0)
  lastFirstQuad = firstQuad
  lastPostcodeAfterNumber = postcodeAfterNumber
  lastFirstCard = firstCard
  lastFirstSsn = firstSsn
  if (hexCount > MAX_HEX_COLONS) hexCount = -1
  capCount = nCaps <= MAX_CAPS ? nCaps : -1
  sevenCount = nSeven <= MAX_SEVEN_CHAINS ? nSeven : -1
  andCount = nAnds <= MAX_CONJUNCTIONS ? nAnds : -1
  ampCount = nAmps <= MAX_CONJUNCTIONS ? nAmps : -1
  nameIsCount = nNameIs <= MAX_NAME_IS ? nNameIs : -1
  return bits
}

/** Between a number ending at `from` and digits at `to`: `, `, or a line break and up to sixteen spaces. */
function postcodeGap(text: string, from: number, to: number): boolean {
  const c = text.charCodeAt(from)
  if (c === 44) return to - from === 2 && text.charCodeAt(from + 1) === 32
  if (c !== 10) return false
  for (let k = from + 1; k < to; k++) if (text.charCodeAt(k) !== 32) return false
  return true
}

/** After the word `name` ending at `i` (`i + 2` within the text): the index past ` is ` or `'s ` (any case), or 0. */
function nameIsEnd(text: string, i: number): number {
  const c = text.charCodeAt(i)
  if (c === 32) {
    if (i + 3 >= text.length) return 0 // never a read past the end (see codeAt() below)
    if ((text.charCodeAt(i + 1) | 32) === 105 && (text.charCodeAt(i + 2) | 32) === 115 && text.charCodeAt(i + 3) === 32)
      return i + 4
    return 0
  }
  if ((c === 39 || c === 0x2019) && (text.charCodeAt(i + 1) | 32) === 115 && text.charCodeAt(i + 2) === 32) return i + 3
  return 0
}

/**
 * SSN_SHAPE for the digit run [start, end) of `digits` digits: not glued to a word, a dot or a dash before it (as the
 * SSN pattern's look-behind), and nine digits, or three followed by `s` dd `s` dddd.
 */
function ssnShape(text: string, start: number, end: number, digits: number): boolean {
  if (start > 0) {
    const p = text.charCodeAt(start - 1)
    if (isAsciiAlnum(p) || p === 95 || p === 46 || p === 45) return false
  }
  if (digits === 9) return true
  if (end >= text.length) return false // never a read past the end (see codeAt() below)
  const s = text.charCodeAt(end)
  if (s !== 45 && s !== 32 && s !== 46) return false
  if (end + 7 >= text.length || text.charCodeAt(end + 3) !== s) return false
  return (
    isDigit(text.charCodeAt(end + 1)) &&
    isDigit(text.charCodeAt(end + 2)) &&
    isDigit(text.charCodeAt(end + 4)) &&
    isDigit(text.charCodeAt(end + 5)) &&
    isDigit(text.charCodeAt(end + 6)) &&
    isDigit(text.charCodeAt(end + 7))
  )
}

/**
 * Which chains the characters between two digit runs keep going (SEP bits): all of them must be separators of that
 * chain; none between two runs (`gap` 0) cannot happen, runs are maximal.
 */
function gapSeparators(text: string, from: number, to: number): number {
  let seps = 3
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
      if (secretKeyBefore(text, i)) bits |= SECRET_KEY_ASSIGNMENT
      if (i + 2 < text.length && text.charCodeAt(i + 1) === 47 && text.charCodeAt(i + 2) === 47) {
        bits |= URL_SCHEME
        if (firstScheme < 0) firstScheme = i
      }
      return bits
    }
    case 64:
      return AT
    case 61:
      return secretKeyBefore(text, i) ? EQUALS | SECRET_KEY_ASSIGNMENT : EQUALS
    case 46:
      return DOT
    case 63:
      return QUERY
    case 38:
      return i > 0 && text.charCodeAt(i - 1) === 32 && text.charCodeAt(i + 1) === 32 ? QUERY | CONJUNCTION : QUERY
    default:
      // `-----`: the first dash of five (the next character read first: most dashes stand alone, and skip the call).
      return i + 4 < text.length &&
        text.charCodeAt(i + 1) === 45 &&
        (i === 0 || text.charCodeAt(i - 1) !== 45) &&
        text.startsWith('----', i + 1)
        ? DASHES
        : 0
  }
}

/** The first letter of the word at `at` may go on an address phrase: a, t, i or m (`at`, `to`, `in`, `it`, `this`, `me`). */
function phraseNext(text: string, at: number): boolean {
  const c = text.charCodeAt(at) | 32
  return c === 97 || c === 116 || c === 105 || c === 109
}

/** The letters at `at` spell `address` (any case). */
function opensAddress(text: string, at: number): boolean {
  for (let k = 0; k < 7; k++) if ((text.charCodeAt(at + k) | 32) !== ADDRESS.charCodeAt(k)) return false
  return true
}
const ADDRESS = 'address'

/** HEX_COLONS when the colon at `i` closes `:hex{0,4}:`; its first colon is recorded (hexColonStarts()). */
function hexColons(text: string, i: number): number {
  let k = i - 1
  while (k >= 0 && i - k <= 5 && isHex(text.charCodeAt(k))) k--
  if (k < 0 || i - k > 5 || text.charCodeAt(k) !== 58) return 0
  if (hexCount < MAX_HEX_COLONS) hexStarts[hexCount] = k
  hexCount++
  return HEX_COLONS
}

/**
 * `text.charCodeAt(i)`, or -1 outside the string (every caller compares it with a character or a range of them, where
 * -1 answers as the NaN of a read past either end). A read that leaves the string makes V8 replace the inlined read
 * with a call to the generic charCodeAt at that site for good (see docs/redaction.md, Speed).
 * Callers bind it to a constant of their own module, as their other imports (see person-recognizer.ts).
 */
export function codeAt(text: string, i: number): number {
  return i >= 0 && i < text.length ? text.charCodeAt(i) : -1
}
