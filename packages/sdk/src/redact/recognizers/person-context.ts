import { IntHashTable } from '../int-hash-table.js'
import * as profiles from '../text-profile.js'
import * as lexicons from './person-lexicon.js'

// Bound once to constants of this module: an imported binding is a module-variable load with a hole check on every
// read in the hot loops below (see docs/redaction.md, Speed).
const codeAt = profiles.codeAt
const FNV_BASIS = lexicons.FNV_BASIS
const hashWord = lexicons.hashWord
const hashWordFrom = lexicons.hashWordFrom

// Context for PERSON candidates, read from the text around a run of words without building strings (hashes of the
// words before it, a few character tests after it).

/** Greetings in other languages ("Hallo Jürgen", "Hoi Sanne"). */
const FOREIGN_GREETINGS = ['hallo', 'hoi', 'hola', 'ciao', 'bonjour', 'salut']
/** Titles in other languages: strong context before a name, and leaders stripped from a run. */
const FOREIGN_TITLES = [
  'herr',
  'frau',
  'señor',
  'señora',
  'sr',
  'sra',
  'srta',
  'signor',
  'signora',
  'sig',
  'monsieur',
  'madame',
  'mme',
  'mevrouw',
  'meneer',
  'dhr',
  'mevr',
]
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
  // Form and ticket fields that hold a person ("Reporter: Gulnara Abenova", "Passenger: OKONKWO/CHIDI"), in the
  // languages of the greetings below too ("Nombre:", "Naam:", "Vorname:").
  'reporter',
  'assignee',
  'passenger',
  'cardholder',
  'guest',
  'requester',
  'tenant',
  'beneficiary',
  'nombre',
  'apellido',
  'apellidos',
  'nome',
  'cognome',
  'naam',
  'achternaam',
  'voornaam',
  'vorname',
  'nachname',
  'nom',
  'prenom',
  // A greeting right before a capitalised word: "Hi Ana, hi Femi".
  'hi',
  'hello',
  'hey',
  ...FOREIGN_GREETINGS,
  // Titles in other languages, lower-cased after a greeting ("Sehr geehrte Frau …" reads `frau` before the name).
  ...FOREIGN_TITLES,
])
// Family words: context before a name ("my wife Ana") and, after a possessive, evidence of one ("Asya's husband").
const RELATIVES = ['wife', 'husband', 'son', 'daughter', 'mother', 'father', 'brother', 'sister']
// "my daughter Sofia", "her husband Tomás": a relative named after a possessive word is a person.
const RELATIVE_PAIRS = ['my', 'his', 'her', 'our', 'their', 'your'].flatMap((d) =>
  [
    ...RELATIVES,
    ...['friend', 'colleague', 'partner', 'boss', 'roommate', 'flatmate', 'neighbor', 'neighbour', 'coworker'],
    ...['cousin', 'aunt', 'uncle', 'niece', 'nephew', 'teacher', 'landlord', 'landlady', 'mentor', 'fiance', 'fiancee'],
  ].map((r) => `${d} ${r}`),
)
const STRONG_PAIRS = new Set([
  ...RELATIVE_PAIRS,
  'name is',
  'i am',
  'names are',
  'called me',
  'call me',
  'calls me',
  'directed by',
  'written by',
  'signed by',
  'named him',
  'named her',
  'happy birthday',
  'on card', // "Name on card: HIROSHI YAMAMOTO"
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
  ...RELATIVES,
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
  // Titles and roles before a name: context, not part of it ("Nurse Ramirez" is Ramirez).
  'nurse',
  'doctor',
  'professor',
  'officer',
  'detective',
  'judge',
  'coach',
  'captain',
  'president',
  'senator',
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
  // Greetings and titles of other languages ("Hallo Jürgen", "Hoi Sanne", "Frau Schmidt-Rottluff", "Sra. Pérez").
  ...FOREIGN_GREETINGS,
  'olá',
  'buongiorno',
  'goedemorgen',
  'goedemiddag',
  ...FOREIGN_TITLES,
])
/**
 * Hashes (person-lexicon's hashWord, lower-cased) of the sets above in one table of flags: lookups straight from the
 * text, no slices, no boxed numbers.
 */
const CONTEXT_WORDS = new IntHashTable(10)
const C_STRONG = 1
const C_WEAK = 2
const C_LEADER = 4
const C_PAIR_TAIL = 8 // the last word of a STRONG_PAIRS phrase: only these make the two-word lookup worth its slices
const C_FUNCTION = 16
const addAll = (words: Iterable<string>, flag: number): void => {
  for (const w of words) CONTEXT_WORDS.add(hashWord(w, 0, w.length), flag)
}
addAll(STRONG, C_STRONG)
addAll(WEAK, C_WEAK)
addAll(LEADERS, C_LEADER)
addAll(
  [...STRONG_PAIRS].map((p) => p.slice(p.lastIndexOf(' ') + 1)),
  C_PAIR_TAIL,
)

// Street types that end a street's name ("Maple Street", "Elm Road"); not those that are also common surnames or words
// after a name ("Hill", "Grove", "Walk", "Dr").
const C_STREET = 32
addAll(
  [
    'street',
    'st',
    'road',
    'rd',
    'avenue',
    'ave',
    'boulevard',
    'blvd',
    'lane',
    'ln',
    'drive',
    'terrace',
    'parkway',
    'pkwy',
    'highway',
    'hwy',
    'crescent',
    'court',
    'ct',
    'place',
    'way',
    'alley',
    'plaza',
  ],
  C_STREET,
)

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
const BARE_EPONYMS = new Set(['number', 'numbers', 'code', 'curve'])
// Words that may stand between a possessive and its noun ("Newton's second law").
const EPONYM_FILLERS = new Set(['first', 'second', 'third', 'last', 'famous', 'little', 'great'])

/**
 * The words name a thing after a person: an eponym noun follows, after a possessive and a filler word or bare
 * ("Newton's second law", "Fibonacci number", "Turing test"). Read only for lone or two-word candidates.
 */
export function eponymAfter(text: string, end: number): boolean {
  let i = end
  const owned = possessive(text, i)
  if (owned) i += 2
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

// Month abbreviations, some of them given names too ("Jan", "Mar"): next to a day's number they are a date.
const C_MONTH = 64
addAll(['jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec'], C_MONTH)

// Suffixes after a surname ("King Jr.", "Davis Sr."): their dot abbreviates, it does not end the sentence, so the run
// of capitalised words goes on over it ("Martin Luther King Jr. Day" is a holiday, read whole).
const C_SUFFIX = 128
addAll(['jr', 'sr'], C_SUFFIX)

/** Whether the word with this hashWord() value is a name suffix whose dot abbreviates ("Jr.", "Sr."). */
export function isNameSuffix(hash: number): boolean {
  return (CONTEXT_WORDS.get(hash) & C_SUFFIX) !== 0
}

/**
 * Whether the word text[start, end), with this hashWord() value, is a month's abbreviation next to a day's number
 * ("effective Jan 1", "on 14 Mar", "Sept. 3").
 */
export function monthInDate(text: string, start: number, end: number, hash: number): boolean {
  if ((CONTEXT_WORDS.get(hash) & C_MONTH) === 0) return false
  let e = end
  if (codeAt(text, e) === 46) e++
  const after = codeAt(text, e) === 32 ? codeAt(text, e + 1) : -1
  const before = codeAt(text, start - 1) === 32 ? codeAt(text, start - 2) : -1
  return (after >= 48 && after <= 57) || (before >= 48 && before <= 57)
}

/** Whether the word with this hashWord() value is a street type that ends a street's name ("Street", "Rd"). */
export function isStreetType(hash: number): boolean {
  return (CONTEXT_WORDS.get(hash) & C_STREET) !== 0
}

/** Whether the word with this hashWord() value is a greeting or title that leads a name ("Dear", "Mr"). */
export function isLeader(hash: number): boolean {
  return (CONTEXT_WORDS.get(hash) & C_LEADER) !== 0
}
const NONE = 0
export const WEAK_CONTEXT = 1
export const STRONG_CONTEXT = 2
export const FUNCTION_CONTEXT = 3 // a WEAK function word ("and", "with", "to"): no support for a lower-case word
addAll(['by', 'from', 'to', 'cc', 'with', 'and', 'is', 'under', 'for', 'at', 'of', 'says', 'said'], C_FUNCTION)

/**
 * Reads the one or two words before `pos`, skipping spaces, quotes, colons, equals signs (`"name": "`) and a question
 * mark (an answer after its question: "What's your name? Ana").
 */
export function contextBefore(text: string, pos: number): number {
  let i = pos - 1
  let skipped = 0
  while (i >= 0 && skipped < 8 && isFiller(text.charCodeAt(i))) {
    i--
    skipped++
  }
  const end1 = i + 1
  while (i >= 0 && isWordChar(text.charCodeAt(i))) i--
  if (end1 - (i + 1) === 0 || end1 - (i + 1) > 12) return NONE
  const flags = CONTEXT_WORDS.get(hashWord(text, i + 1, end1))
  if (flags & C_STRONG) return STRONG_CONTEXT
  if (flags & C_PAIR_TAIL) {
    const start1 = i + 1
    while (i >= 0 && text.charCodeAt(i) === 32) i--
    const end2 = i + 1
    while (i >= 0 && isWordChar(text.charCodeAt(i))) i--
    if (end2 > i + 1 && strongPair(text, i + 1, end2, start1, end1)) return STRONG_CONTEXT
  }
  return flags & C_WEAK ? (flags & C_FUNCTION ? FUNCTION_CONTEXT : WEAK_CONTEXT) : NONE
}

// hashWord() of each STRONG_PAIRS phrase: a pair of words is looked up by hash first, and only a listed hash builds
// the phrase string ("is", "me" and "by" end a pair, and stand before many capitalised words).
const PAIR_HASHES = new IntHashTable(Math.ceil(Math.log2(STRONG_PAIRS.size)) + 2)
for (const p of STRONG_PAIRS) PAIR_HASHES.add(hashWord(p, 0, p.length), 1)

/** Whether text[s2, e2) + ' ' + text[s1, e1), lower-cased, is one of STRONG_PAIRS. */
function strongPair(text: string, s2: number, e2: number, s1: number, e1: number): boolean {
  // hashWord() of the phrase, read in place: the first word, the space, the second word.
  const h = hashWordFrom(Math.imul(hashWordFrom(FNV_BASIS, text, s2, e2) ^ 32, 0x01000193), text, s1, e1) | 1
  if (PAIR_HASHES.get(h) === 0) return false
  return STRONG_PAIRS.has(text.slice(s2, e2).toLowerCase() + ' ' + text.slice(s1, e1).toLowerCase())
}

function isFiller(c: number): boolean {
  return (
    c === 32 ||
    c === 34 ||
    c === 39 ||
    c === 58 ||
    c === 61 ||
    c === 10 ||
    c === 13 ||
    c === 9 ||
    c === 44 ||
    c === 46 ||
    c === 63 ||
    c === 92 // escaped JSON inside a string: {\"first_name\": \"Thabo\"}
  )
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 39
}

// Two or more lines opening with a label ("Anna: …\nTom: …"): a dialogue, where an unknown label is a speaker.
const LABEL_LINE = /(?:^|\n)[^\n:]{1,40}: ?\S[^\n]*\n(?:[^\n]*\n)?[^\n:]{1,40}: ?\S/

/** The text reads as a dialogue: two labelled lines close together. */
export function dialogue(text: string): boolean {
  return LABEL_LINE.test(text)
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

/** A dialogue or chat label: `Name:` at the start of a line. */
export function speaker(text: string, end: number): boolean {
  return codeAt(text, end) === 58 && (codeAt(text, end + 1) === 32 || codeAt(text, end + 1) === 34)
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
