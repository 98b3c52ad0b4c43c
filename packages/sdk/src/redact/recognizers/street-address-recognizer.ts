import { type Finding, NO_FINDINGS, type Recognizer } from '../recognizer.js'
import { trieSource } from '../regex-trie.js'
import { sortSmall } from '../resolver.js'
import {
  ADDRESS_PHRASE,
  CAPITAL_NOT_I,
  DIGIT,
  digitsEnd,
  NON_ASCII,
  postcodeAfterNumberIndex,
  STREET_PREFIX_WORD,
  STREET_TYPE_WORD,
  STREET_UNIT_WORD,
  STREET_WORD,
  SUFFIX_THEN_NUMBER,
  TYPE_TAIL_THEN_NUMBER,
  textProfile,
} from '../text-profile.js'
import { BREAK, classify, personLexicon } from './person-lexicon.js'
import { extend, extendLine } from './street-tail.js'
import {
  ADDRESS_KEYS,
  GATE_LITERALS,
  HYPHEN_DISTRICTS,
  HYPHEN_ROADS,
  PREFIXES,
  SUFFIXES,
  TYPES,
} from './street-words.js'

// Letters of the Latin, Greek and Cyrillic scripts as explicit ranges: non-Unicode regexes run much faster in V8.
const L = 'A-Za-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u024F\\u0370-\\u03FF\\u0400-\\u04FF'
const LU = 'A-Z\\u00C0-\\u00D6\\u00D8-\\u00DE\\u0100-\\u024F\\u0391-\\u03A9\\u0400-\\u042F'
const WORD = `[${L}.'’-]{1,30}`
// "216 Menzies Street", "99449 18 McPherson Road", "350 5th Ave": number, up to four words or ordinals, a street type.
const NUMBER_FIRST = new RegExp(
  `\\d(?<![${L}0-9]\\d)\\d{0,5}[A-Za-z]?(?:[ ,]{1,2}\\d{1,5})?[ ]{1,3}(?:(?:${WORD}|\\d{1,3}(?:st|nd|rd|th))[ ]{1,3}){0,4}?(?:${TYPES})\\.?(?![${L}0-9])`,
  'gi',
)
// "Rua Igreja 25", "ul. Słowicza 10", "26 rue des lieutemants Thomazo": a street prefix, words, a number.
const PREFIX_FIRST = new RegExp(
  `(?<![${L}0-9])(?:\\d{1,6}[ ]{1,3})?(?:${PREFIXES})(?:[ ]{1,3}(?:\\d{1,5}[A-Za-z]?\\b|${WORD})){1,5}`,
  'gi',
)
// "Erzsébet tér 19", "Herceg Gateway 12": a capitalised name, a street type after it, a number.
const TYPE_THEN_NUMBER = new RegExp(
  `(?<![${L}0-9])[${LU}][${L}'’-]{1,30}(?:[ ]{1,3}${WORD}){0,2}[ ]{1,3}(?:${TYPES}|${SUFFIXES}|u\\.)[ ]{1,3}(?:no[.:]?[ ]?)?\\d{1,5}[A-Za-z]?(?![${L}0-9])`,
  'gi',
)
// "Kiannonkatu 98", "Friedhofstrasse 33", "Ringvej 144": a compound street name and a number.
const COMPOUND = new RegExp(
  `(?<![${L}0-9])(?:\\d{1,6}[ ]{1,3})?[${L}]{1,30}(?:${SUFFIXES})[ ]{1,3}\\d{1,5}[A-Za-z]?(?![${L}0-9])`,
  'gi',
)
// Korean and Japanese forms romanised: "152 Teheran-ro", "45 Sejong-daero"; and a block number before a district's
// name and its ward ("2-14-7 Nishi-Shinjuku, Shinjuku-ku": the ward goes with the line's tail, see TAIL).
const HYPHENATED = new RegExp(
  String.raw`(?<![\p{L}\p{N}])(?:\d{1,5}(?:-\d{1,4}){0,2}[ ]{1,2}\p{Lu}\p{Ll}{1,24}(?:-\p{Lu}?\p{Ll}{1,12})?-(?:${HYPHEN_ROADS.join('|')})|\d{1,2}-\d{1,2}(?:-\d{1,3})?[ ]{1,2}\p{Lu}\p{Ll}{1,24}(?:-\p{Lu}\p{Ll}{1,20})?(?=,[ ]{1,2}\p{Lu}\p{Ll}{1,20}-(?:${HYPHEN_DISTRICTS.join('|')})(?![\p{L}])))(?![\p{L}\p{N}])`,
  'gu',
)
const HYPHENATED_HINT = new RegExp(String.raw`-(?:${[...HYPHEN_ROADS, ...HYPHEN_DISTRICTS].join('|')})\b`)

// A street written without a street word, as most of Europe writes one: a name of one to three words, the house
// number, `, ` and a postcode and city ("Kouter 29, 9000 Gent", "Vinohradská 1511/230, 100 00 Praha 10", "Zuiderdiep
// 61, 9711 HD Groningen", "ul. Prosta 12, 00-838 Warszawa"). Group 1 is the name's first word.
const NAME_NUMBER_POSTCODE = new RegExp(
  `(?<![${L}0-9])([${LU}][${L}'’.-]{2,30})(?:[ ](?:[${LU}][${L}'’.-]{0,30}|de|la|le|van|der|den|von|di|da|del|do|dos|das|du|des)){0,2}[ ]\\d{1,4}[A-Za-z]?(?:/\\d{1,4}[A-Za-z]?){0,2}(?:,[ ]|\\n[ ]{0,16})(?:[A-Z]{1,2}-)?(?:\\d{3}[ ]\\d{2}|\\d{4}[ ][A-Z]{2}|\\d{2}-\\d{3}|\\d{4,5})[ ][${LU}][${L}-]{1,30}`,
  'g',
)
// How far before the postcode such a street may begin.
const NAME_NUMBER_REACH = 80

// Units, post boxes (in English and the other languages' words for one) and military addresses.
const UNIT = new RegExp(
  String.raw`(?<![${L}0-9])(?:(?:apt|apartment|suite|ste|unit|flat)\.?[ ]{0,2}#?\d{1,6}[A-Za-z]?(?:,?[ ]{1,2}box[ ]{1,2}\d{1,6})?|p\.?[ ]?o\.?[ ]?box[ ]{1,2}\d{1,6}|postbox[ ]{1,2}\d{1,6}|(?:postbus|postfach|apartado[ ](?:de[ ]correos|postal)|caixa[ ]postal|casella[ ]postale|bo[iî]te[ ]postale|skrytka[ ]pocztowa)[ ]{1,2}\d{1,6}(?:[ ]\d{2}){0,2}|rr[ ]{1,2}\d{1,3},?[ ]{1,2}box[ ]{1,2}\d{1,6}|(?:psc|cmr)[ ]{1,2}\d{1,6},?[ ]{1,2}box[ ]{1,2}\d{1,6}|usn[sv][ ]{1,2}[A-Z][a-z]{1,20}|[afd]po[ ]{1,2}a[aep][ ]{1,2}\d{5})(?![${L}0-9])`,
  'gi',
)
// "lives at …", "address: …": the rest of the line after an address phrase. Not inside our own tokens: the
// "ADDRESS>" of `<IP_ADDRESS>` is no address phrase.
const CONTEXT = new RegExp(
  String.raw`(?<![${L}])(?<!<[A-Z0-9_]{0,40})(?:address(?:[ ]is)?|adres(?:se|a|s|sen|i|im)?|anschrift|wohnhaft|domicilio|direcci[oó]n|endere[cç]o|morada|indirizzo|osoite|lives?[ ]at|living[ ]at|located[ ]at|live[ ]in|resides?[ ]at|moved[ ]to|ship(?:ped)?[ ]to|deliver(?:ed)?[ ]to|mail(?:ed)?[ ]to|send[ ](?:it[ ]|this[ ]|them[ ]|a[ ]new[ ]one[ ])?to|return(?:ed)?[ ](?:it[ ])?to|meet[ ](?:me[ ])?at)(?![A-Za-z0-9_])[ \t]{0,4}:?[ \t\n]{0,8}(?:>[ ]?)?([^\n]{4,120})`,
  'gi',
)

// Word lists compiled as prefix trees (regex-trie.ts): a position is rejected after a character or two.
const TYPE_HINT = new RegExp(`\\b(?:${trieSource(TYPES.split('|'))})\\b`, 'i')
const PREFIX_HINT = new RegExp(`(?:^|[^A-Za-z])(?:${PREFIXES})[ ]`, 'i')
const WORD_THEN_NUMBER_HINT = new RegExp(`\\d(?<=(?:${TYPES}|${SUFFIXES}|u\\.)[ ]{1,3}(?:no[.:]?[ ]?)?\\d)`, 'i')
// The one unit keyword with a letter outside ASCII, which the profile's ASCII words do not see.
const NON_ASCII_UNIT = /boîte/i
const UNIT_HINT =
  /apt|apartment|suite|ste|unit|flat|box|psc|cmr|usn|[afd]po|postbus|postfach|apartado|caixa|casella|bo[iî]te|skrytka/i

// Cheap gate before six patterns: a street word, unit or address phrase as a whole word, or a compound street
// name ending right before a number. The text profile answers for every word and phrase in ASCII (hashed in its one
// pass) and, in ASCII texts, for the compound form; texts with other characters add two small regexes: the words
// with letters outside ASCII (as whole words, like the rest), and the compound form, whose spaces may be any Unicode
// space there. Non-Unicode; the second opens on a digit and looks back, so it is only tried at digits.
const NON_ASCII_WORDS = new RegExp(`\\b(?:${trieSource(GATE_LITERALS.filter((w) => /[^ -~]/.test(w)))})\\b`, 'i')
const SUFFIX_THEN_NUMBER_ANY_SPACE = new RegExp(`\\d(?<=(?:${SUFFIXES})\\s{1,3}(?:no[.:]?[ ]?)?\\d)`, 'i')

/** Whether a pattern's hint holds: from the profile for ASCII texts where it has the bit, else the hint regex. */
function hintHolds(
  text: string,
  profile: number,
  ascii: boolean,
  hint: RegExp | null,
  wordThenNumber: boolean,
): boolean {
  if (hint === null) return wordThenNumber
  // Street types and the unit pattern's keywords are ASCII words standing alone, but for `boîte`: the profile's bits
  // hold for every text.
  if (hint === TYPE_HINT) return (profile & STREET_TYPE_WORD) !== 0
  if (hint === UNIT_HINT) return (profile & STREET_UNIT_WORD) !== 0 || (!ascii && NON_ASCII_UNIT.test(text))
  if (ascii && hint === PREFIX_HINT) return (profile & STREET_PREFIX_WORD) !== 0
  return hint.test(text)
}

/** Whether a street pattern can match: the profile's word gate, and for texts beyond ASCII the two regexes above. */
function mayHoldAddress(text: string): boolean {
  const p = textProfile(text)
  if ((p & DIGIT) === 0) return false // addresses without a single digit are rare enough to skip
  if (p & STREET_WORD) return true
  if ((p & NON_ASCII) === 0) return (p & SUFFIX_THEN_NUMBER) !== 0
  return NON_ASCII_WORDS.test(text) || SUFFIX_THEN_NUMBER_ANY_SPACE.test(text)
}

// A prefix match with a number must name a street: a house number before the prefix ("14 avenue des Champs-Élysées"),
// a capitalised prefix ("Calle Mayor 5"), or a capitalised word or a number after it ("ul. Słowicza 10", "calle 5");
// "send via email in 2 days" and "the place was closed for 2 days" do not.
const NAMES_A_STREET = /^(?:\d|\p{Lu}|\S+\s+(?:\p{Lu}|\d))/u

/**
 * The house number a prefix match opens with ends another number: a date's or an identifier's last group
 * ("2025-03-04 via UPS", "ref 12/04 via"), a digit and one of `-./:` right before it.
 */
function numberInsideAnother(text: string, at: number): boolean {
  const c = text.charCodeAt(at)
  if (c < 48 || c > 57 || at < 2) return false
  const p = text.charCodeAt(at - 1)
  const d = text.charCodeAt(at - 2)
  return (p === 45 || p === 46 || p === 47 || p === 58) && d >= 48 && d <= 57
}

/**
 * A prefix match text[start, end) whose only words after the prefix are digits that a phone number goes on with
 * (`-` or `.` and a digit): "contact op via 020-1234567" names no street.
 */
function phoneAfterPrefix(text: string, start: number, end: number): boolean {
  const c = end < text.length ? text.charCodeAt(end) : -1
  if ((c !== 45 && c !== 46) || !(end + 1 < text.length && isDigitCode(text.charCodeAt(end + 1)))) return false
  let i = text.indexOf(' ', start)
  if (i === -1 || i >= end) return false
  for (; i < end; i++) {
    const d = text.charCodeAt(i)
    if (d !== 32 && !isDigitCode(d)) return false
  }
  return true
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57
}

/** The address phrase at `at` is "moved to" (any case). */
function movedTo(text: string, at: number): boolean {
  return (text.charCodeAt(at) | 32) === 109 && (text.charCodeAt(at + 1) | 32) === 111
}

/** The phrase at `at` is one of the other languages' words for an address (CONTEXT's; all but the English ones). */
function foreignKey(text: string, at: number): boolean {
  return FOREIGN_KEY.test(text.slice(at, at + 9))
}
const FOREIGN_KEY = new RegExp(`^(?:${ADDRESS_KEYS.join('|')})`, 'i')

// What follows "moved to" opens like an address: a capital, a `#`, a quote, or a number that is not followed by a
// lower-case word ("221B Baker Street"; "12 rue de Rivoli" and "45 main st" pass by the street word after the number);
// "moved to 4 sprints per quarter" and "moved to the third floor in 2023" do not.
// Not a case-insensitive regex: under `iu`, \p{Lu} matches every cased letter.
const OPENS_ADDRESS =
  /^(?:[\p{Lu}#"'(]|\d+[A-Za-z]?(?:[-/]\d+)?(?:[ ,]|$)(?!\s*\p{Ll})|\d+[A-Za-z]?(?:[-/]\d+)?[ ]+(?:rue|rua|calle|via|avenue|ave|av|st|street|road|rd|main|ul|p\.?o\.?|box|apt|unit|suite)\b|(?:p\.?\s?o\.?\s?box|apt|unit|suite|flat)\b|\d+(?:st|nd|rd|th)\b)/u

// A prefix match without a number must open with two capitalised words ("Via Roma", not "via email").
const TWO_CAPITALISED = /^\p{Lu}\S*\s+\p{Lu}/u

// Pattern, base score, literal hint (null: the shared word-then-number hint), and whether every match holds a digit
// (its scan then stops after the text's last digit, see digitsEnd()).
const PATTERNS: ReadonlyArray<readonly [RegExp, number, RegExp | null, boolean]> = [
  [NUMBER_FIRST, 0.7, TYPE_HINT, true],
  [PREFIX_FIRST, 0.65, PREFIX_HINT, false],
  [TYPE_THEN_NUMBER, 0.65, null, true],
  [COMPOUND, 0.65, null, true],
  [UNIT, 0.6, UNIT_HINT, false],
  [HYPHENATED, 0.7, HYPHENATED_HINT, true],
]

/**
 * Text-profile bits of which a text must hold one for this recognizer to find anything (the engine reads it): what
 * mayHoldAddress() asks besides a digit, so the engine skips the call for the four texts in five that hold a digit
 * and no street word.
 */
export const STREET_GATE = STREET_WORD | SUFFIX_THEN_NUMBER | NON_ASCII

/**
 * STREET_ADDRESS: street lines in several conventions (number first, street-type prefix, compound names such as
 * "…katu 98" or "…strasse 33"), units and post boxes, and the text after address phrases ("lives at", "address:").
 * A street line then extends over the short lines that follow it (city, region, postcode, country).
 *
 * @example
 * streetAddressRecognizer.find('ship to 216 Menzies Street') // one STREET_ADDRESS finding
 */
export const streetAddressRecognizer: Recognizer = {
  name: 'street-address',
  entities: ['STREET_ADDRESS'],
  find(text: string): readonly Finding[] {
    // One cheap test for any address keyword before six Unicode patterns run.
    if (!mayHoldAddress(text)) return NO_FINDINGS
    const spans: Array<[number, number, number]> = []
    // Each pattern runs only when its cheap literal hint is present (non-Unicode tests, most texts fail them).
    const profile = textProfile(text)
    const ascii = (profile & NON_ASCII) === 0
    const wordThenNumber = ascii ? (profile & TYPE_TAIL_THEN_NUMBER) !== 0 : WORD_THEN_NUMBER_HINT.test(text)
    const lastDigit = digitsEnd()
    for (const [re, score, hint, digit] of PATTERNS) {
      if (!hintHolds(text, profile, ascii, hint, wordThenNumber)) continue
      // In ASCII text a compound name needs one of the ASCII suffixes right before its number: the profile's
      // SUFFIX_THEN_NUMBER, a narrower test than the type-or-suffix one above.
      if (re === COMPOUND && ascii && (profile & SUFFIX_THEN_NUMBER) === 0) continue
      re.lastIndex = 0
      const last = digit ? lastDigit : text.length + 1
      for (let m = re.exec(text); m !== null; m = re.lastIndex < last ? re.exec(text) : null) {
        // Prefixes such as "via" or "place" are also English words: without a number they need a capitalised name.
        if (
          re === PREFIX_FIRST &&
          (!(hasDigit(text, m.index, m.index + m[0].length) ? NAMES_A_STREET.test(m[0]) : TWO_CAPITALISED.test(m[0])) ||
            numberInsideAnother(text, m.index) ||
            phoneAfterPrefix(text, m.index, m.index + m[0].length))
        )
          continue
        if (re === UNIT && unitOfSomethingElse(text, m.index, m.index + m[0].length)) continue
        if (re === NUMBER_FIRST && !numberFirstNamesStreet(text, m.index, m[0], profile)) continue
        if (re === TYPE_THEN_NUMBER && prepositionBeforeType(m[0])) continue
        // The pattern ignores case, so its name may open on words in lower case before a capitalised one ("walk to
        // Main Street 5"): the street begins at its first capitalised word.
        const from = re === TYPE_THEN_NUMBER ? m.index + lowerLead(m[0]) : m.index
        spans.push([from, m.index + m[0].length, score])
      }
    }
    const postcode = postcodeAfterNumberIndex()
    if (postcode >= 0) namesNumberPostcode(text, postcode, spans)
    // The profile has seen what the context pattern opens with (`address…`, `lives a…`, `ship t…`).
    if ((profile & ADDRESS_PHRASE) === 0) return spans.length === 0 ? NO_FINDINGS : merge(text, spans)
    CONTEXT.lastIndex = 0
    for (let m = CONTEXT.exec(text); m !== null; m = CONTEXT.exec(text)) {
      if (otherAddress(text, m.index)) continue // "MAC address …", "email address …"
      const raw = m[1]!
      const rawStart = m.index + m[0].length - raw.length
      // A quoted field (`"address": "…"` in JSON, `address: '…'`): the value is what the quotes hold, and the
      // structure around it stays. Otherwise the rest of the sentence.
      const quoted = quotedValue(raw)
      const value = quoted ? raw.slice(quoted[0], quoted[1]) : trimValue(raw)
      if (!/\d/.test(value) && spans.length === 0) continue // "address the issue" is not an address
      // "moved to" moves meetings, teams and plans too, and the word for an address in another language is read
      // without its grammar ("die Adresse ist falsch, bitte 3 Tage warten"): after those the value must open like an
      // address.
      if ((movedTo(text, m.index) || foreignKey(text, m.index)) && !OPENS_ADDRESS.test(value)) continue
      const from = addressStart(value)
      if (from < 0) continue
      const start = rawStart + (quoted ? quoted[0] : 0) + from
      spans.push([start, start + value.length - from, 0.6])
    }
    if (spans.length === 0) return NO_FINDINGS
    return merge(text, spans)
  },
}

const TYPE_WORDS = new Set(TYPES.split('|'))

// A date or a time, not a place: "moved to Friday, 28 June", "returned to normal by 03:41".
const DATE_OPENING =
  /^(?:(?:on|by|until|at)\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december|today|tomorrow|tonight|next|this)\b/i

/**
 * Where the address in what follows an address phrase begins, or -1 when none does. It has letters; it opens like
 * one (a capital, a number, a quote or a unit word; in lower case, a street word right after the number, see
 * OPENS_ADDRESS; or "the corner of"), or holds a capital after words in lower case, or those words lead to the first
 * number that opens one ("address of the firm is 9554 rue gafsa"). "delivered to the app 48 hours before", "address
 * already in use on port 5432", `postal_address = 3`, a memory or wallet address (`0x7ffd5e8c1a40`) and a date
 * ("moved to Friday, 28 June") hold none.
 */
function addressStart(value: string): number {
  if (!/\p{L}{2}/u.test(value)) return -1
  if (/^(?:0x)?[0-9a-f]{12,}$/i.test(value) || /^0x[0-9a-f]+$/i.test(value)) return -1
  // A preposition or a field's key may stand first: "change my address to 50541 Mlýnská 1540", "address:\n street: …".
  const link = LEADING_LINK.exec(value)?.[0].length ?? 0
  const rest = link > 0 ? value.slice(link) : value
  if (DATE_OPENING.test(rest) || SITE_POINT.test(rest)) return -1
  const c = rest.charCodeAt(0)
  if (!((c >= 97 && c <= 122) || (c >= 0xdf && c <= 0xff)) || OPENS_ADDRESS.test(rest) || CORNER.test(rest)) return 0
  let tries = 0
  for (const m of value.matchAll(LATER_NUMBER)) {
    if (++tries > 3) break
    const at = m.index + m[0].length - m[1]!.length
    const tail = value.slice(at)
    // A number that opens one, or a street type soon after it ("4471 w fullerton ave unit 2r").
    if ((OPENS_ADDRESS.test(tail) || TYPE_HINT.test(tail.slice(0, 40))) && /\p{L}{2}/u.test(tail)) return at
  }
  // Words in lower case first, a capitalised name later (not an acronym: "as of 14:52 UTC"): the value as it stands
  // ("to the same: the corner of …").
  return /\p{Lu}\p{Ll}/u.test(rest) ? 0 : -1
}

// A point of a site rather than an address: "deliver to Gate 3 of the plant", "ship to dock B", "meet at platform 9".
const SITE_POINT = /^(?:the\s+)?(?:gate|dock|door|platform|terminal|pier|bay|hangar|track|stand|loading)\b/i

const LEADING_LINK = /^(?:(?:to|at|on|in|is|with|as|for)\s+|[\p{L}_]{1,24}:\s*)/u

const CORNER = /^the corner of /i
// A number that opens a word after a space, in what follows an address phrase.
const LATER_NUMBER = /[ \t\n](\d)/g

/**
 * A number-first match ("216 Menzies Street") names a street: a word between the number and the street type ("Route 66
 * road trip" holds none), and in text written with capitals, a capitalised word or an ordinal there or a capitalised
 * type ("compare 40 key queries for row counts" has neither). Text in lower case throughout keeps "45 main st".
 */
function numberFirstNamesStreet(text: string, at: number, match: string, profile: number): boolean {
  const words = match.split(/[ ,]+/)
  let i = 0
  while (i < words.length && /^\d/.test(words[i]!) && !/^\d+(?:st|nd|rd|th)$/i.test(words[i]!)) i++
  const type = words[words.length - 1]!
  const names = words.slice(i, words.length - 1)
  // No word: the name stands before the number ("Příční 1429 St.", "Grössgstötten 50 street"), unless a route's
  // number ("Route 66 road trip", "Highway 1 road closures").
  if (names.length === 0) return !ROUTE_BEFORE.test(text.slice(Math.max(0, at - 16), at))
  // A sentence, not a street's name: "3 overs at Eden Gardens", "5 June and many shops close".
  if (names.some((w) => LINKING_WORDS.has(w))) return false
  if ((profile & CAPITAL_NOT_I) === 0) return true
  return isCapital(type.charCodeAt(0)) || names.some((w) => isCapital(w.charCodeAt(0)) || /^\d/.test(w))
}

// Words that join the parts of a sentence and stand in no English street's name between its number and its type.
const LINKING_WORDS = new Set(['at', 'to', 'in', 'for', 'and', 'from', 'by', 'with', 'is', 'are', 'was', 'were'])

const ROUTE_BEFORE = /(?:^|[^\p{L}])(?:route|highway|hwy|interstate|autobahn|autoroute|autopista|autostrada)[ ]$/iu

function isCapital(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 0xc0 && c <= 0xde)
}

/**
 * A unit word and number that name no dwelling: before "of" ("Unit 42 of Palo Alto Networks"), or after an ordinary
 * capitalised word that is no street type (a product's name: "Office Suite 2021", "Creative Suite 2024"). After a
 * street ("… Main St Suite 4") or a person's name ("Mrs. Ana Lopez Apt. 675 …") it is one. Neither test reads a word
 * that a replacement could change, so the second analysis sees what the first saw.
 */
function unitOfSomethingElse(text: string, start: number, end: number): boolean {
  if (text.startsWith(' of ', end)) return true
  if (start < 2 || text.charCodeAt(start - 1) !== 32) return false
  let i = start - 1
  while (i > 0 && isAsciiLetter(text.charCodeAt(i - 1))) i--
  const c = text.charCodeAt(i)
  if (i >= start - 2 || c < 65 || c > 90 || TYPE_WORDS.has(text.slice(i, start - 1).toLowerCase())) return false
  personLexicon()
  return classify(text, i, start - 1) === BREAK
}

function isAsciiLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90)
}

// Addresses that are no place: a network card's, a mailbox's, a wallet's ("MAC address format looks like 00:1A:…").
const OTHER_ADDRESSES = new Set(['mac', 'ip', 'ipv4', 'ipv6', 'email', 'mail', 'web', 'memory', 'wallet', 'bitcoin'])
OTHER_ADDRESSES.add('hardware').add('network').add('server').add('host').add('ethernet').add('wifi').add('url')

/** The word before the address phrase at `at` says what kind of address: not a postal one. */
function otherAddress(text: string, at: number): boolean {
  if (at < 2 || (text.charCodeAt(at - 1) !== 32 && text.charCodeAt(at - 1) !== 45)) return false
  let i = at - 1
  while (i > 0 && at - i < 10 && isAsciiLetter(text.charCodeAt(i - 1))) i--
  return OTHER_ADDRESSES.has(text.slice(i, at - 1).toLowerCase())
}

function byStart(a: readonly [number, number, number], b: readonly [number, number, number]): number {
  return a[0] - b[0]
}

/** Extends every part over its line tail and continuation lines, then merges parts that touch into one address. */
function merge(text: string, spans: Array<[number, number, number]>): Finding[] {
  // The unextended parts go out too, at their own lower scores: if the merged address loses an overlap to a
  // stronger finding (an IBAN on the next line), the street itself is still redacted.
  // `| 0` on offsets read from these tuples: they hold a score too, so V8 stores them as doubles, and one Finding
  // with a double offset would turn the offsets of every Finding in the process into boxed numbers.
  // Loops rather than map() callbacks: a closure created per call costs more than the handful of spans.
  const out: Finding[] = []
  const parts: Array<[number, number, number]> = []
  for (let i = 0; i < spans.length; i++) {
    const [start, end, score] = spans[i]!
    out.push({ type: 'STREET_ADDRESS', start: start | 0, end: end | 0, score, recognizer: 'street-address' })
    parts.push([start, extend(text, extendLine(text, end)), score])
  }
  sortSmall(parts, byStart)
  let [cs, ce, cscore] = parts[0]!
  let n = 1
  for (let i = 1; i <= parts.length; i++) {
    const p = parts[i]
    if (p && p[0] <= ce + 3 && onlySpaceCommaOrQuote(text, ce, p[0])) {
      ce = Math.max(ce, p[1])
      cscore = Math.max(cscore, p[2])
      n++
      continue
    }
    // Several address parts together (street + unit + city line) are stronger evidence than any one of them.
    const score = n > 1 || hasDigit(text, cs, ce) ? Math.min(0.9, cscore + 0.2) : cscore
    out.push({ type: 'STREET_ADDRESS', start: cs | 0, end: ce | 0, score, recognizer: 'street-address' })
    if (p) {
      ;[cs, ce, cscore] = p
      n = 1
    }
  }
  return out
}

// The two tests merge() makes per part, read in place (a regex on a slice each cost more than the rest of merge()).

/** Whether text[from, to) holds only whitespace (as `\s`), commas and `>`: /^[\s,>]*$/ without the slice. */
function onlySpaceCommaOrQuote(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    if (c !== 44 && c !== 62 && !isJsSpace(c)) return false
  }
  return true
}

/** Length of the words in lower case that open `match` before a capitalised word in it, or 0 when none follows. */
function lowerLead(match: string): number {
  let i = 0
  while (i < match.length) {
    const c = match.charCodeAt(i)
    if ((c >= 65 && c <= 90) || (c >= 0xc0 && c <= 0xde && c !== 0xd7)) return i
    if (isDigitCode(c)) return 0
    // On to the next word.
    while (i < match.length && match.charCodeAt(i) !== 32) i++
    while (i < match.length && match.charCodeAt(i) === 32) i++
  }
  return 0
}

/**
 * The word before the type of a "name, type, number" match is an English preposition or article: the type word is
 * English too ("sign in at gate 2", "the path to hall 5"), not a street's ("Karl Johans gate 1").
 */
function prepositionBeforeType(match: string): boolean {
  const words = match.split(/\s+/)
  return words.length >= 3 && PREPOSITIONS.has(words[words.length - 3]!.toLowerCase())
}
const PREPOSITIONS = new Set(['at', 'in', 'to', 'on', 'the', 'of', 'for', 'by', 'from', 'via', 'near', 'through'])

/**
 * Streets of NAME_NUMBER_POSTCODE's shape around the first postcode after a number (at `postcode`) and after it, whose
 * first word is no English word ("Version 2, 2024 Edition", "Table 3, 1998 Survey" are none).
 */
function namesNumberPostcode(text: string, postcode: number, spans: Array<[number, number, number]>): void {
  personLexicon()
  NAME_NUMBER_POSTCODE.lastIndex = Math.max(0, postcode - NAME_NUMBER_REACH)
  for (let m = NAME_NUMBER_POSTCODE.exec(text); m !== null; m = NAME_NUMBER_POSTCODE.exec(text)) {
    const first = m[1]!
    if (classify(first, 0, first.length) === BREAK) {
      NAME_NUMBER_POSTCODE.lastIndex = m.index + first.length
      continue
    }
    spans.push([m.index, m.index + m[0].length, 0.65])
  }
}

/** The characters `\s` matches. */
function isJsSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13)
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  )
}

function hasDigit(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) return true
  }
  return false
}

// Where the value after an address phrase stops (a sentence end or a spaced dash), and what trails it.
const VALUE_STOP =
  /[.?!;](?:\s|$)|\s[-—–]\s|\s(?:for|but|which|doesn't|does|did|didn't|was|were|because)\s|,\s(?:die|der|das|und|aber|que|qui|donde|dove|che|och|og|en|ma|mais|pero|ale|ve)\s/
const VALUE_TRAIL = /[\s,.]+$/

// What may stand between an address phrase and a quoted value: the key's closing quote, `:` or `=`, the value's quote.
const QUOTED_VALUE = /^["']?[ \t]{0,4}[:=]?[ \t]{0,4}(["'])/

/** Where the quoted value at the start of `v` lies in it (inside its quotes), or null when `v` opens no quoted value. */
function quotedValue(v: string): [number, number] | null {
  const m = QUOTED_VALUE.exec(v)
  if (m === null) return null
  const start = m[0].length
  const end = v.indexOf(m[1]!, start)
  return end > start ? [start, end] : null
}

function trimValue(v: string): string {
  const stop = v.search(VALUE_STOP)
  return (stop === -1 ? v : v.slice(0, stop)).replace(VALUE_TRAIL, '')
}
