import * as profiles from '../text-profile.js'
import { isWordChar, RELATIVES } from './person-context.js'
import { BREAK, classify } from './person-lexicon.js'

// Bound once to a constant of this module (see person-context.ts).
const codeAt = profiles.codeAt

// Evidence for a PERSON candidate read after its run of words, or from the run's place in the text, rather than from
// a context word before it: verbs, possessives, sign-offs, eponyms, dialogue labels.

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
  'joined',
  'arrived',
  'left',
  'thanked',
  'agreed',
  'shared',
  'sent',
  'called',
  'emailed',
  'signed',
  'mentioned',
  'suggested',
  'confirmed',
  'asks',
  'wants',
  'prefers',
  'texted',
  'messaged',
  'phoned',
  'complained',
  'explained',
  'promised',
  'apologised',
  'apologized',
  'accepted',
  'declined',
  'resigned',
  'retired',
])

// Nouns a name lends itself to ("Fibonacci number", "Newton's second law", "Turing test"): the name then names a thing.
const EPONYMS = new Set([
  'law',
  'laws',
  'theorem',
  'equation',
  'equations',
  'principle',
  'conjecture',
  'paradox',
  'constant',
  'lemma',
  'distribution',
  'transform',
  'algorithm',
  'machine',
  'test',
  'prize',
  'award',
  'disease',
  'syndrome',
  'razor',
  'sequence',
  'series',
  'effect',
  'method', // "Newton's method", "Euler's method"
  'formula',
])
// Only after no possessive: "Fibonacci numbers" but "Maria's number" is hers.
const BARE_EPONYMS = new Set(['number', 'numbers', 'code', 'curve', 'model', 'optimizer', 'optimiser', 'filter'])
for (const w of ['index', 'scale', 'coefficient', 'notation', 'rule', 'problem']) BARE_EPONYMS.add(w)
for (const w of ['chain', 'chains', 'process', 'processes', 'property', 'inequality', 'integral', 'function']) {
  BARE_EPONYMS.add(w)
}
for (const w of ['functions', 'kernel', 'estimator', 'bound', 'polynomial', 'polynomials', 'matrix', 'blur']) {
  BARE_EPONYMS.add(w)
}
// Words that may stand between a possessive and its noun ("Newton's second law").
const EPONYM_FILLERS = new Set(['first', 'second', 'third', 'last', 'famous', 'little', 'great'])

/**
 * The words name a thing after a person: an eponym noun follows, after a possessive and a filler word or bare
 * ("Newton's second law", "Fibonacci number", "Turing test"). Read only for lone or two-word candidates.
 */
export function eponymAfter(text: string, end: number): boolean {
  let i = end
  // "Newton's law", and "Bayes' theorem": a name ending in s takes the apostrophe alone.
  const bare = codeAt(text, end - 1) === 115 && (codeAt(text, end) === 39 || codeAt(text, end) === 0x2019)
  const owned = bare || possessive(text, i)
  if (owned) i += bare ? 1 : 2
  if (codeAt(text, i) !== 32) return false
  let word = lowerWordAt(text, i + 1)
  let at = i + 1
  if (owned && EPONYM_FILLERS.has(word)) {
    at += word.length + 1
    word = lowerWordAt(text, at)
  }
  if (!EPONYMS.has(word) && (owned || !BARE_EPONYMS.has(word))) return false
  // "Kwame's law firm", "Ana's test results": the noun opens a compound that is the person's, not a thing named.
  return codeAt(text, at + word.length) !== 32 || !OWNED_COMPOUNDS.has(lowerWordAt(text, at + word.length + 1))
}
/**
 * A version follows the words ("Jenkins 2.440.1", "Cassandra 3.11", "Ruby 3.3"): they name software, not a person.
 * Read only for lone or two-word candidates.
 */
export function versionAfter(text: string, end: number): boolean {
  let i = end + 1
  if (codeAt(text, end) !== 32) return false
  if (codeAt(text, i) === 118) i++ // "v2.1"
  const digitsFrom = i
  while (isDigitCode(codeAt(text, i))) i++
  if (i === digitsFrom || codeAt(text, i) !== 46 || !isDigitCode(codeAt(text, i + 1))) return false
  // Four numbers are an IPv4 address as well ("Maria 203.0.113.9"): not taken for a version.
  let dots = 0
  while (isDigitCode(codeAt(text, i)) || (codeAt(text, i) === 46 && isDigitCode(codeAt(text, i + 1)))) {
    if (codeAt(text, i) === 46) dots++
    i++
  }
  return dots !== 3
}

const OWNED_COMPOUNDS = new Set([
  'firm',
  'school',
  'office',
  'practice',
  'degree',
  'results',
  'result',
  'score',
  'scores',
])

/** The lower-case ASCII word at `at` (at most 13 letters), or '' when none stands there. */
function lowerWordAt(text: string, at: number): string {
  let e = at
  while (e < text.length && e - at <= 13 && text.charCodeAt(e) >= 97 && text.charCodeAt(e) <= 122) e++
  return e - at <= 13 && !isWordChar(codeAt(text, e)) ? text.slice(at, e) : ''
}

/** A possessive follows ("Maite Lemmens's"). */
export function possessive(text: string, end: number): boolean {
  const q = codeAt(text, end)
  return (q === 39 || q === 0x2019) && codeAt(text, end + 1) === 115 && !isWordChar(codeAt(text, end + 2))
}

// Words that close a message before the sender's name ("Thanks,\nPriya", "Cheers, Tom").
const SIGN_OFFS = new Set([
  ...['thanks', 'thx', 'cheers', 'best', 'regards', 'sincerely', 'warmly', 'love', 'yours'],
  // The same in other languages ("Met vriendelijke groet,", "Viele Grüße", "VG", "Groetjes,", "Saludos,").
  ...['groet', 'groeten', 'groetjes', 'grüße', 'grüßen', 'gruß', 'grüsse', 'vg', 'lg', 'mfg', 'mvh', 'hilsen'],
  ...['saludos', 'saluti', 'cordialement', 'atentamente', 'abrazos', 'besos', 'bisous', 'cumprimentos', 'abraços'],
  ...['grazie', 'gracias', 'merci', 'danke', 'obrigado', 'obrigada', 'bedankt', 'ciao'],
])

/**
 * A sign-off: the word stands after a closing word ("Thanks, Oluwaseun", "Best,\nZorvath") and ends its line or the
 * text (a `.` or `!` may follow). Where a message ends with its sender's name, an unknown word is that name.
 */
export function signedOff(text: string, start: number, end: number): boolean {
  let e = end
  while (e < text.length && (text.charCodeAt(e) === 46 || text.charCodeAt(e) === 33 || text.charCodeAt(e) === 32)) e++
  if (e < text.length && text.charCodeAt(e) !== 10 && text.charCodeAt(e) !== 13) return false
  let i = start - 1
  // "/Ingrid" on the last line: the sender's name after a slash that opens its line.
  if (codeAt(text, i) === 47 && (i === 0 || text.charCodeAt(i - 1) === 10)) return true
  while (i >= 0 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 10 || text.charCodeAt(i) === 13)) i--
  if (codeAt(text, i) === 44) i--
  const wordEnd = i + 1
  // Letters outside ASCII too ("Viele Grüße"); two-letter closings are abbreviations ("VG", "LG").
  while (i >= 0 && wordEnd - i <= 14 && (isWordChar(text.charCodeAt(i)) || text.charCodeAt(i) >= 0xc0)) i--
  return wordEnd - (i + 1) >= 2 && SIGN_OFFS.has(text.slice(i + 1, wordEnd).toLowerCase())
}

/** The words fill their line and a blank line or the text's end follows: a letterhead or signature block. */
export function wholeLine(text: string, start: number, end: number): boolean {
  const before = start === 0 || text.charCodeAt(start - 1) === 10
  const n = text.length
  return before && (end === n || (text.charCodeAt(end) === 10 && (end + 1 === n || text.charCodeAt(end + 1) === 10)))
}

/**
 * The next word is one of HUMAN_VERBS, or a phrase that only people take follows: "is our new intern", "was my
 * mentor", "from the Auckland team".
 */
export function humanVerbAfter(text: string, end: number): boolean {
  if (codeAt(text, end) !== 32) return false
  let e = end + 1
  while (e < text.length && e - end <= 10 && text.charCodeAt(e) >= 97 && text.charCodeAt(e) <= 122) e++
  if (e - end <= 2 || e - end > 10) return false
  const word = text.slice(end + 1, e)
  if (e - end > 3 && HUMAN_VERBS.has(word)) return true
  if ((word === 'is' || word === 'was') && codeAt(text, e) === 32) return PEOPLE_OWNED.has(lowerWordAt(text, e + 1))
  return word === 'from' && teamAfter(text, e)
}
// "X is our …", "X was my …": a person held as one's own (a colleague, a relative); a company is "our vendor" too,
// but no capitalised pair of unknown words before these is one.
const PEOPLE_OWNED = new Set(['our', 'my'])

/** After "from": " the " and, within three words, "team", "office" or "department" (a person's place of work). */
function teamAfter(text: string, at: number): boolean {
  if (!text.startsWith(' the ', at)) return false
  let i = at + 5
  for (let w = 0; w < 4 && i < text.length; w++) {
    let e = i
    while (e < text.length && e - i <= 20 && isWordChar(text.charCodeAt(e))) e++
    const word = text.slice(i, e).toLowerCase()
    if (word === 'team' || word === 'office' || word === 'department') return true
    if (codeAt(text, e) !== 32) return false
    i = e + 1
  }
  return false
}

export function hasNonAscii(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) > 127) return true
  return false
}

// Verbs that attribute a quotation; written after it, they are followed by the speaker ("…," says Bergqvist.).
const REPORTING = new Set(['says', 'said', 'asks', 'asked', 'replied', 'added', 'explained', 'wrote', 'recalls'])

/**
 * A quotation's attribution after it: the words stand alone between a reporting verb, itself right after the quote's
 * closing punctuation (`,` `!` `?` or a closing quote), and the clause's end ("…," says Hartvigsson. / "…!" said
 * Maslin to Antonio). In prose such a word is the speaker; "says Reuters" loses to the place and brand lists.
 */
export function attributed(text: string, start: number, end: number): boolean {
  let i = start - 1
  if (codeAt(text, i) !== 32) return false
  const verbEnd = i
  while (i > 0 && text.charCodeAt(i - 1) >= 97 && text.charCodeAt(i - 1) <= 122) i--
  if (verbEnd - i < 4 || !REPORTING.has(text.slice(i, verbEnd))) return false
  let k = i - 1
  while (k >= 0 && text.charCodeAt(k) === 32) k--
  const q = codeAt(text, k)
  if (q !== 44 && q !== 33 && q !== 63 && q !== 34 && q !== 0x201d && q !== 39 && q !== 0x2019) return false
  const a = codeAt(text, end)
  if (a === -1 || a === 46 || a === 44 || a === 59 || a === 33 || a === 10) return true
  return a === 32 && codeAt(text, end + 1) === 116 && codeAt(text, end + 2) === 111 && codeAt(text, end + 3) === 32
}

// People's own relations and days, after a possessive: a company has an address, a phone and staff, not these.
const KIN = new Set([
  ...RELATIVES,
  'kid',
  'kids',
  'mom',
  'mum',
  'dad',
  'boyfriend',
  'girlfriend',
  'parents',
  'grandmother',
  'grandfather',
  'birthday',
  'children',
  'baby',
])

/** A possessive and a word of kin follow ("Franciska's kid", "Asya's husband"). */
export function kinAfter(text: string, end: number): boolean {
  return possessive(text, end) && codeAt(text, end + 2) === 32 && KIN.has(lowerWordAt(text, end + 3))
}

/** At the start of the text, a line or a sentence, where any word is capitalised. */
export function sentenceStart(text: string, at: number): boolean {
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

// How a chat writer introduces themself in text without capitals: "hey it's priya", "hi this is jack from billing".
const INTRODUCTIONS = ["it's ", 'it’s ', 'its ', 'this is ']

/** Text without capitals: an introduction ("it's ", "this is ") right before `start`, itself opening a phrase. */
export function introducedBefore(text: string, start: number): boolean {
  for (const intro of INTRODUCTIONS) {
    const at = start - intro.length
    if (at >= 0 && text.startsWith(intro, at) && !isWordChar(codeAt(text, at - 1))) return true
  }
  return false
}

/**
 * The class of a word with an apostrophe or hyphen inside that the lexicon does not hold: a contraction ("We've",
 * "They're") or words of the language joined ("Content-Type", "X-Request-Id", "User-Agent": a header's name) are no
 * name; anything else (O'Neil, Jean-Luc, Smith-Jones) stays unknown.
 */
export function joinedWordClass(text: string, start: number, end: number): number {
  if (CONTRACTION.test(text.slice(Math.max(start, end - 3), end))) return BREAK
  let from = start
  for (let j = start; j <= end; j++) {
    if (j < end && text.charCodeAt(j) !== 45) continue
    if (j - from > 1 && classify(text, from, j) !== BREAK) return 0
    from = j + 1
  }
  return BREAK
}

const CONTRACTION = /['’](?:ve|re|ll|m|d|t)$/i

// What puts someone on a street named without a number: "on", "at", "corner of … and", directions ("Take Lincoln
// Avenue north").
export const STREET_CUE = /(?:^|[^\p{L}])(?:on|at|corner of|and|take|onto|via)[ ]$/iu

const DETERMINERS = new Set(['the', 'a', 'an', 'our', 'your', 'their', 'this', 'that', 'these', 'those', 'its'])

// "the Jensen family", "the Okafor twins": people named by their surname; "the Christiansen novel", "the Castro
// interview": a person's work.
const FAMILY_WORDS = new Set(['family', 'families', 'household', 'brothers', 'sisters', 'twins', 'couple', 'kids'])
for (const w of ['novel', 'novels', 'book', 'books', 'memoir', 'biography', 'interview', 'lecture', 'speech']) {
  FAMILY_WORDS.add(w)
}

/** One of FAMILY_WORDS right after `end`. */
export function familyAfter(text: string, end: number): boolean {
  if (text.charCodeAt(end) !== 32) return false
  let j = end + 1
  while (j < text.length && j - end <= 10 && isLetter(text.charCodeAt(j))) j++
  return FAMILY_WORDS.has(text.slice(end + 1, j))
}

/** One of DETERMINERS and one space right before `start`. */
export function determinerBefore(text: string, start: number): boolean {
  if (start < 2 || text.charCodeAt(start - 1) !== 32) return false
  let i = start - 1
  while (i > 0 && i > start - 8 && isLetter(text.charCodeAt(i - 1))) i--
  if (i > 0 && isLetter(text.charCodeAt(i - 1))) return false
  return DETERMINERS.has(text.slice(i, start - 1).toLowerCase())
}

/** A digit within eight characters before `start` or after `end` (a house number, a postcode). */
export function digitNear(text: string, start: number, end: number): boolean {
  for (let i = Math.max(0, start - 8); i < start; i++) if (isDigitCode(text.charCodeAt(i))) return true
  for (let i = end; i < end + 8 && i < text.length; i++) if (isDigitCode(text.charCodeAt(i))) return true
  return false
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57
}

/** A letter: ASCII, or Latin, Greek or Cyrillic beyond it (not × or ÷). */
export function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 0xc0 && c < 0x2000 && c !== 0xd7 && c !== 0xf7)
}

// Endings of German abstract nouns, and the linking forms they take inside a compound ("Bearbeitungszeit",
// "Verwendungszweck"); no given name or surname of seven letters or more ends or joins so (names in -ung are short:
// Jung, Leung, Cheung).
const GERMAN_NOUN_ENDINGS = ['ung', 'ungen', 'heit', 'heiten', 'keit', 'keiten', 'schaft', 'schaften', 'tion', 'tionen']
const GERMAN_LINKS = ['ungs', 'heits', 'keits', 'schafts', 'tions']

/**
 * text[start, end), a capitalised word the lexicon does not know, of seven letters or more, reads as a German noun:
 * it ends like an abstract noun ("Messdatenerfassung", "Einstellungen", "Konfiguration") or holds one's linking form
 * inside ("Rechnungsdruck", "Leistungserbringer"). German capitalises its nouns, and tables, headings and forms in
 * German hold many that no list has.
 */
export function germanNounShape(text: string, start: number, end: number): boolean {
  // Read in place (ASCII letters folded with `| 32`): no slice or case copy per unknown word.
  for (const e of GERMAN_NOUN_ENDINGS) if (end - start > e.length && foldedAt(text, end - e.length, e)) return true
  for (const l of GERMAN_LINKS) {
    for (let at = start + 3; at + l.length < end - 2; at++) if (foldedAt(text, at, l)) return true
  }
  return false
}

/** text at `at` spells `word` (lower-case ASCII) in any case. */
function foldedAt(text: string, at: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if ((text.charCodeAt(at + k) | 32) !== word.charCodeAt(k)) return false
  return true
}
