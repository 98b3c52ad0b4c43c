import type { Finding, Recognizer } from '../recognizer.js'
import * as profiles from '../text-profile.js'
import * as contexts from './person-context.js'
import * as evidence from './person-evidence.js'
import { extendPersons } from './person-extend.js'
import * as forms from './person-forms.js'
import * as lexicons from './person-lexicon.js'
import * as places from './person-places.js'
import {
  chatSpeakers,
  cjkFieldNames,
  displayNames,
  greetedNames,
  lowerNamesBeforeVerbs,
  namesAfterColons,
} from './person-structure.js'

// Bound once to constants of this module: an imported binding is a module-variable load with a hole check on every
// read in the hot loops below (see docs/redaction.md, Speed).
const CAPITAL_NOT_I = profiles.CAPITAL_NOT_I
const CONJUNCTION = profiles.CONJUNCTION
const GERMAN_TEXT = profiles.GERMAN_TEXT
const NAME_IS = profiles.NAME_IS
const GREETING_WORD = profiles.GREETING_WORD
const COLON = profiles.COLON
const NON_ASCII = profiles.NON_ASCII
const nameIsPositions = profiles.nameIsPositions
const capitalPositions = profiles.capitalPositions
const firstLetterIndex = profiles.firstLetterIndex
const textProfile = profiles.textProfile
const codeAt = profiles.codeAt
const AMBIGUOUS = lexicons.AMBIGUOUS
const BREAK = lexicons.BREAK
const CASE = lexicons.CASE
const CASED_LOWER = lexicons.CASED_LOWER
const CASED_UPPER = lexicons.CASED_UPPER
const classify = lexicons.classify
const classifyHash = lexicons.classifyHash
const FNV_BASIS = lexicons.FNV_BASIS
const hashWord = lexicons.hashWord
const isPlaceName = lexicons.isPlaceName
const LOWER = lexicons.LOWER
const NAME = lexicons.NAME
const personLexicon = lexicons.personLexicon
const contextBefore = contexts.contextBefore
const roleLabel = contexts.roleLabel
const dialogue = forms.dialogue
const FUNCTION_CONTEXT = contexts.FUNCTION_CONTEXT
const PLACE_CONTEXT = contexts.PLACE_CONTEXT
const hasNonAscii = evidence.hasNonAscii
const introducedBefore = evidence.introducedBefore
const attributed = evidence.attributed
const humanVerbAfter = evidence.humanVerbAfter
const eponymAfter = evidence.eponymAfter
const versionAfter = evidence.versionAfter
const joinedWordClass = evidence.joinedWordClass
const determinerBefore = evidence.determinerBefore
const familyAfter = evidence.familyAfter
const digitNear = evidence.digitNear
const STREET_CUE = evidence.STREET_CUE
const isLetter = evidence.isLetter
const kinAfter = evidence.kinAfter
const monthInDate = contexts.monthInDate
const signedOff = evidence.signedOff
const isLeader = contexts.isLeader
const isNameSuffix = contexts.isNameSuffix
const isOrganisationName = places.isOrganisationName
const ampersandPair = places.ampersandPair
const regionAfter = places.regionAfter
const travelRoute = places.travelRoute
const isStreetType = contexts.isStreetType
const possessive = evidence.possessive
const placeWord = places.placeWord
const PLACE_HEAD = places.PLACE_HEAD
const ORG_TAIL = places.ORG_TAIL
const ORG_TAIL_SURNAME = places.ORG_TAIL_SURNAME
const TEAM = places.TEAM
const teamCompound = places.teamCompound
const STRONG_CONTEXT = contexts.STRONG_CONTEXT
const sentenceStart = evidence.sentenceStart
const speaker = forms.speaker
const fieldLabel = forms.fieldLabel
const labelRecurs = forms.labelRecurs
const saidAfter = forms.saidAfter
const tableHeader = forms.tableHeader
const germanNounShape = evidence.germanNounShape
const WEAK_CONTEXT = contexts.WEAK_CONTEXT
const wholeLine = evidence.wholeLine

// The current run of capitalised words, in parallel typed arrays reused across calls (no object per word):
// start, end, class (NAME, AMBIGUOUS, BREAK, or 0 for unknown) and flags. A run longer than MAX_RUN is scored in
// pieces; only a run of 64+ capitalised words, which holds no name (candidates stop at four words), sees a difference.
const MAX_RUN = 64
const wStart = new Int32Array(MAX_RUN)
const wEnd = new Int32Array(MAX_RUN)
const wCls = new Uint8Array(MAX_RUN)
const wFlags = new Uint8Array(MAX_RUN)
// Each run word's placeWord() flags once read (-1: not yet): candidate() asks for them again for each span of a run.
const wPlace = new Int8Array(MAX_RUN)
const INITIAL = 1
const LEADER = 2 // a greeting or title word ("Dear", "Mr."): context, not part of the name
const LOWERCASE = 4 // read in lowerMode and not capitalised
const STREET_TYPE = 8 // a street type ("Street", "Rd"): the words before it name a street
const STREET_WORD = 16 // "Street" itself: no surname, unlike Lane or Court ("Elm Street" is a street, "Diane Lane" not)
const HASH_STREET = hashWord('street', 0, 6)

// Text written without capitals ("follow up with patricia desrosiers"): every word is read, and candidates need a
// known name part (lowerMode in candidate()).
let lowerMode = false
// The text reads as German (the profile's GERMAN_TEXT), where nouns are capitalised: "Ihre Nachricht", "der Hersteller
// Probleme", "das Wasser" are capitals with no name among them. Candidates there need context or a known name in a
// pair (see candidate()).
let german = false
// Whether the text may hold a table's header (read once per text, when a candidate first asks): none without a line
// break; a markdown rule needs `---`; otherwise only the first line can be a CSV header.
const UNKNOWN_TABLES = 0
const NO_TABLES = 1
const CSV_ONLY = 2
const MARKDOWN_TABLES = 3
let tables = UNKNOWN_TABLES
let firstBreak = -1

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
  // Street names come out of the same runs of capitalised words (see candidate()).
  entities: ['PERSON', 'STREET_ADDRESS'],
  find(text: string): Finding[] {
    const out: Finding[] = []
    personLexicon() // builds the tables on first use
    streetTopicEnd = -1
    tables = UNKNOWN_TABLES
    let len = 0 // words in the current run
    const n = text.length
    // Written without capitals: the first letter is lower case and no capital stands anywhere but in "I" (both read
    // from the shared text profile).
    const profile = textProfile(text)
    german = (profile & GERMAN_TEXT) !== 0
    const firstAt = firstLetterIndex()
    if (firstAt < 0) lowerMode = false
    else {
      // A lower-case letter (toUpperCase() changes it, toLowerCase() does not), read from the case table: the first
      // letter is always below U+0250, and a one-character string and two case conversions per text cost more.
      const cased = CASE[text.charCodeAt(firstAt)]!
      lowerMode = (cased & CASED_LOWER) !== 0 && (cased & CASED_UPPER) === 0 && (profile & CAPITAL_NOT_I) === 0
    }
    // Hot loop: skip to the next character that may open a capitalised word (a JS loop: cheaper than a regex call
    // per word), then a hand-written tokenizer over char codes; words are hashed while read and looked up in a
    // typed-array table, so no word costs a slice.
    // Capitals come from the profile's list; text written without capitals (or with too many) is walked here.
    const { positions, count } = capitalPositions()
    const walk = lowerMode || count < 0
    let ci = 0
    let at = 0
    for (;;) {
      let c = 0
      if (walk) {
        while (at < n) {
          c = text.charCodeAt(at)
          if (c >= 0xc0 || (c >= 65 && c <= 90) || (lowerMode && c >= 97 && c <= 122)) break
          at++
        }
      } else {
        while (ci < count && positions[ci]! < at) ci++
        at = ci < count ? positions[ci]! : n
        if (at < n) c = text.charCodeAt(at)
      }
      if (at >= n) break
      const start = at
      // A word glued to a letter or an identifier character before it, or one that opens in lower case outside text
      // written without capitals (`é` in `équipe`), is never a name part: find its end without hashing it (the same
      // word rules as the loop below). Capitals inside keys, IBANs and identifiers mostly end here.
      const before = start > 0 ? text.charCodeAt(start - 1) : 32
      if (
        isLetter(before) ||
        (attached(before) && !slashSignature(text, start)) ||
        (!lowerMode && !isUpper(text, start, c))
      ) {
        at = wordEnd(text, start + 1, n)
        continue
      }
      let j = start + 1
      let lower = 0
      let upper = 0
      // The word's hash (hashWord) is computed while it is read; h1 and h2 are the hashes one and two characters
      // short, for a possessive 's cut off below.
      let h2 = FNV_BASIS
      let h1 = FNV_BASIS
      let h = Math.imul(FNV_BASIS ^ (c < 0x2000 ? LOWER[c]! : c), 0x01000193)
      // camel: a capital after four letters of one segment or a second capital after lower case (OpenTelemetry,
      // GenAI, JavaScript) marks a product or identifier; McDonald, MacArthur, Jean-Luc stay names.
      let seg = 1
      let prevUp = true
      let camel = false
      let joined = false // an apostrophe or hyphen inside
      for (; j < n; j++) {
        const d = text.charCodeAt(j)
        let folded = d // the character as hashWord() reads it (lower-cased)
        if (d >= 97 && d <= 122) {
          // Lower-case ASCII first: most letters of a capitalised word are.
          lower++
          prevUp = false
          seg++
        } else if (d >= 65 && d <= 90) {
          upper++
          if (seg >= 4 || (prevUp && lower > 0)) camel = true
          prevUp = true
          seg++
          folded = d | 32
        } else if (d >= 0xc0 && d < 0x2000 && d !== 0xd7 && d !== 0xf7) {
          prevUp = false
          seg++
          folded = LOWER[d]!
        } else if ((d === 39 || d === 0x2019 || d === 45) && j + 1 < n && isLetter(text.charCodeAt(j + 1))) {
          seg = 0 // O'Neil, Jean-Luc: an apostrophe or hyphen inside a word does not end it
          prevUp = false
          joined = true
        } else break
        h2 = h1
        h1 = h
        h = Math.imul(h ^ folded, 0x01000193)
      }
      at = j
      let end = j
      let initial = end - start === 1
      if (initial && codeAt(text, end) === 46) end++
      if (codeAt(text, end - 2) === 39 && text.charCodeAt(end - 1) === 115) {
        end -= 2 // possessive 's
        h = h2
        lower-- // its `s` is no letter of the word: "URI's" stays an acronym
      }
      h |= 1 // as hashWord: never 0
      let cls: number
      let leader = false
      if (initial) cls = 0
      else {
        leader = end - start <= 9 && isLeader(h)
        if (upper > 0 && lower === 0 && !hasNonAsciiLower(text, start, end))
          // An acronym (SSN, NASA), or a name written in capitals (JOHN SMITH on a form): one the name lists hold, of
          // three letters or more and not glued to an identifier, is ambiguous: it needs support, as "Summer" does.
          cls = end - start >= 3 && !gluedAfter(codeAt(text, j)) && classifyHash(h) === NAME ? AMBIGUOUS : BREAK
        else if (camel || (seg === j - start && gluedAfter(codeAt(text, j))))
          cls = BREAK // a product or identifier: OpenTelemetry, Ed25519, Windows_NT
        else if (end - start <= 4 && monthInDate(text, start, end, h))
          cls = BREAK // a date: "Jan 1", not Jan
        else cls = classifyHash(h)
        if (cls === 0 && joined) cls = joinedWordClass(text, start, end)
        if (cls === 0 && end - start >= 7 && germanNounShape(text, start, end)) cls = BREAK
        if (leader && codeAt(text, end) === 46) end++
        // "King Jr. Day": the suffix's dot abbreviates, so the run goes on over it.
        else if (end - start === 2 && codeAt(text, end) === 46 && isNameSuffix(h)) end++
      }
      initial = initial && cls === 0
      const caseFlag = lowerMode && !isUpper(text, start, c) ? LOWERCASE : 0
      if (
        len > 0 &&
        (len === MAX_RUN ||
          !(
            (start - wEnd[len - 1]! <= 2 && isJoin(text, wEnd[len - 1]!, start)) ||
            (!lowerMode && particleJoin(text, wEnd[len - 1]!, start, wCls[len - 1]!, cls, wStart[0]!, end))
          ) ||
          (wFlags[len - 1]! & LOWERCASE) !== caseFlag) // lower-case and capitalised words never share a run
      ) {
        // A lone word that can be neither a name nor context ("The", "What") needs no scoring.
        if (len > 1 || wCls[0] !== BREAK || wFlags[0]! & LEADER) score(text, len, out)
        len = 0
      }
      wStart[len] = start
      wEnd[len] = end
      wPlace[len] = -1
      wCls[len] = cls
      wFlags[len] =
        (initial ? INITIAL : 0) |
        (leader ? LEADER : 0) |
        (lowerMode && !isUpper(text, start, c) ? LOWERCASE : 0) |
        (len > 0 && !initial && end - start <= 9 && isStreetType(h) ? STREET_TYPE : 0) | // only after a word: it ends a name
        (h === HASH_STREET ? STREET_WORD : 0)
      len++
    }
    if (len > 0) score(text, len, out)
    // Text with capitals elsewhere can still give a name in lower case right after "my name is" ("…, my name is carlos
    // mendez and …"): the profile has noted where the phrase ends.
    if (!lowerMode && (profile & NAME_IS) !== 0) namesAfterPhrase(text, out)
    displayNames(text, out)
    if ((profile & NON_ASCII) !== 0) cjkFieldNames(text, out)
    if (!lowerMode) {
      if (firstAt >= 0 && (CASE[text.charCodeAt(firstAt)]! & CASED_LOWER) !== 0) lowerNamesBeforeVerbs(text, out)
      chatSpeakers(text, out)
      if ((profile & GREETING_WORD) !== 0) greetedNames(text, out)
    }
    if ((profile & COLON) !== 0) namesAfterColons(text, out)
    extendPersons(text, out, lowerMode, (profile & CONJUNCTION) !== 0)
    return out
  },
}

/** End of the word whose letters go on at `from`: letters, and an apostrophe or hyphen before a letter. */
function wordEnd(text: string, from: number, n: number): number {
  let j = from
  for (; j < n; j++) {
    const d = text.charCodeAt(j)
    if (isLetter(d)) continue
    if ((d === 39 || d === 0x2019 || d === 45) && j + 1 < n && isLetter(text.charCodeAt(j + 1))) continue
    break
  }
  return j
}

function isUpper(text: string, i: number, c: number): boolean {
  if (c >= 65 && c <= 90) return true
  if (c < 0xc0) return false
  if (c < 0x2000) return (CASE[c]! & CASED_UPPER) !== 0
  const ch = text[i]!
  return ch !== ch.toLowerCase()
}

function hasNonAsciiLower(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c > 127) {
      if (c < 0x2000) {
        if (CASE[c]! & CASED_LOWER) return true
        continue
      }
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

/** A digit or underscore right after a plain word (no apostrophe or hyphen inside) makes it part of an identifier. */
function gluedAfter(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 95
}

/** The word before `start` (over spaces) is `im`, any case. */
function precededByIm(text: string, start: number): boolean {
  let i = start - 1
  while (i >= 0 && text.charCodeAt(i) === 32) i--
  return (
    i >= 1 &&
    (text.charCodeAt(i) | 32) === 109 &&
    (text.charCodeAt(i - 1) | 32) === 105 &&
    !isLetter(codeAt(text, i - 2))
  )
}

/** `/Name` opening the text's last line: a signature ("…\n\n/Ingrid"), not a path. */
function slashSignature(text: string, start: number): boolean {
  return (
    codeAt(text, start - 1) === 47 &&
    (start === 1 || text.charCodeAt(start - 2) === 10) &&
    text.indexOf('\n', start) === -1
  )
}

/**
 * A name particle joins two capitalised words into one name ("Ludwig van der Berg", "María de la Cruz", "Sanne de
 * Vries"): one or two particles between single spaces. The Dutch and Arabic ones (van, ter, bin, ibn) rarely stand
 * between two capitalised words otherwise; the Romance and German prepositions (de, di, von, del, …) do ("Banco de
 * Portugal", "Lieferung von Möbeln"), so those need a known name on one side, or the words to fill the line after a
 * closing word (a signature: "Sanne de Vries" under "Met vriendelijke groet,"; `runStart` is where the run opens,
 * `wordEnd` where the word after the particle ends).
 */
export function particleJoin(
  text: string,
  from: number,
  to: number,
  prevCls: number,
  cls: number,
  runStart: number,
  wordEnd: number,
): boolean {
  const gap = to - from
  if (gap < 4 || gap > 10 || cls === BREAK || prevCls === BREAK) return false
  if (text.charCodeAt(from) !== 32 || text.charCodeAt(to - 1) !== 32) return false
  const c = text.charCodeAt(from + 1)
  if (c < 97 || c > 122) return false
  const space = text.indexOf(' ', from + 1)
  let kind = PARTICLES.get(text.slice(from + 1, space)) ?? 0
  if (kind === 0) return false
  if (space !== to - 1) {
    // A second particle: "van der", "de la", "von der", "van den".
    const second = PARTICLES.get(text.slice(space + 1, to - 1)) ?? 0
    if (second === 0 || text.indexOf(' ', space + 1) !== to - 1) return false
    kind = Math.max(kind, second)
  }
  if (kind === LONE_PARTICLE || prevCls === NAME || cls === NAME) return true
  const before = codeAt(text, runStart - 1)
  return (before === -1 || before === 10) && signedOff(text, runStart, wordEnd)
}
// LONE_PARTICLE: enough alone; NAMED_PARTICLE: a preposition too, needs a known name beside it.
const LONE_PARTICLE = 1
const NAMED_PARTICLE = 2
const PARTICLES = new Map<string, number>([
  ...['van', 'ter', 'ten', 'bin', 'ibn', 'ben'].map((p) => [p, LONE_PARTICLE] as [string, number]),
  ...['der', 'den', 'von', 'de', 'la', 'las', 'los', 'del', 'della', 'di', 'da', 'dos', 'das', 'do', 'du', 'al', 'el']
    .concat(['le', 'zu', 'vom', 'af', 'av'])
    .map((p) => [p, NAMED_PARTICLE] as [string, number]),
])

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
  runLen = len
  // Split the rest on words that cannot be part of a name.
  let from = i
  for (let j = i; j <= len; j++) {
    if (j === len || wCls[j] === BREAK) {
      if (j > from)
        candidate(text, from, j, out, leader && from === i, j < len && wFlags[j]! & STREET_TYPE ? wEnd[j]! : -1)
      from = j + 1
    }
  }
}

// Words in the run being scored (candidate() looks past its own words for an organisation's last word).
let runLen = 0

/** The letters of run word `k` (without an initial's or abbreviation's dot) as PLACE_WORDS reads them. */
function placeFlags(text: string, k: number): number {
  const known = wPlace[k]!
  if (known >= 0) return known
  const e = wEnd[k]!
  const flags = placeWord(text, wStart[k]!, text.charCodeAt(e - 1) === 46 ? e - 1 : e)
  wPlace[k] = flags
  return flags
}

/**
 * Words [from, to) of the run name a place or an organisation: a place's first word before them ("Lake Victoria",
 * "St. Louis"), or an organisation's or place's last word ending them or among the two after them ("Hudson River",
 * "Palo Alto Networks", "Martin Luther King Jr. Day"; Park, Day, Post and Bank only after a word that is no known
 * given name, as they are surnames too).
 */
function placeOrOrganisation(text: string, from: number, to: number): boolean {
  // A field that holds a person ("user": "Santa Collier") outweighs the place's first word.
  if (
    from > 0 &&
    wCls[from - 1] === BREAK &&
    placeFlags(text, from - 1) & PLACE_HEAD &&
    contextBefore(text, wStart[from - 1]!) !== STRONG_CONTEXT
  )
    return true
  // "St. Louis", "Mt. Hood": an abbreviation's dot ended the run before the name.
  if (from === 0 && abbreviatedPlaceHead(text, wStart[0]!)) return true
  // "Support Team", "Equipo de Seguridad", "Klantenservice": a team or a service signs, not a person.
  for (let k = from; k < to; k++) {
    if (placeFlags(text, k) & TEAM || (wCls[k] === 0 && teamCompound(text, wStart[k]!, wEnd[k]!))) return true
  }
  const last = placeFlags(text, to - 1)
  if (to - from >= 2 && (last & ORG_TAIL || (last & ORG_TAIL_SURNAME && wCls[to - 2] !== NAME))) return true
  for (let k = to; k < runLen && k < to + 2; k++) if (placeFlags(text, k) & (ORG_TAIL | ORG_TAIL_SURNAME)) return true
  return false
}

/** A capitalised word and one space right before `start`. */
function capitalisedWordBefore(text: string, start: number): boolean {
  if (codeAt(text, start - 1) !== 32) return false
  let i = start - 1
  while (i > 0 && isLetter(text.charCodeAt(i - 1))) i--
  return i < start - 1 && isUpper(text, i, text.charCodeAt(i))
}

/** `St. ` or `Mt. ` (a PLACE_HEAD word, its dot and one space) right before `start`. */
function abbreviatedPlaceHead(text: string, start: number): boolean {
  if (codeAt(text, start - 1) !== 32 || codeAt(text, start - 2) !== 46) return false
  let i = start - 2
  while (i > 0 && isLetter(text.charCodeAt(i - 1)) && start - i < 8) i--
  return i < start - 2 && !isLetter(codeAt(text, i - 1)) && (placeWord(text, i, start - 2) & PLACE_HEAD) !== 0
}

/** A street named without a number: as likely as a lone known name mid-sentence. */
const NAMED_STREET_SCORE = 0.55

/**
 * A surname written first: `, ` and a known given name follow, which closes the field (the text's or its line's end,
 * a quote, `;`, `(` or ` <`): "Garcia, Maria", "SMITH, John" on a form or in a mail header.
 */
function givenNameAfter(text: string, end: number): boolean {
  if (codeAt(text, end) !== 44 || codeAt(text, end + 1) !== 32) return false
  const from = end + 2
  if (!isUpper(text, from, codeAt(text, from))) return false
  let e = from + 1
  while (e < text.length && isLetter(text.charCodeAt(e))) e++
  if (classify(text, from, e) !== NAME) return false
  const c = codeAt(text, e)
  return (
    c === -1 ||
    c === 10 ||
    c === 13 ||
    c === 34 ||
    c === 39 ||
    c === 0x201d ||
    c === 59 ||
    c === 40 ||
    (c === 32 && codeAt(text, e + 1) === 60)
  )
}

/**
 * Lower-case names right after `name is ` / `name's `: a known name (also one that is a word or a place), and a
 * second word after it unless that is an ordinary word ("my name is carlos mendez", not "… carlos and"). Capitalised
 * names there are the main scan's.
 */
function namesAfterPhrase(text: string, out: Finding[]): void {
  const { positions, count } = nameIsPositions()
  for (let k = 0; k < count; k++) {
    const start = positions[k]!
    const end1 = lowerWordEnd(text, start)
    const cls1 = end1 === start ? BREAK : classify(text, start, end1)
    // A name that is a place too ("vitoria", "boston") is still the name "my name is" gives.
    if (cls1 !== NAME && cls1 !== AMBIGUOUS) continue
    let end = end1
    if (codeAt(text, end1) === 32) {
      const end2 = lowerWordEnd(text, end1 + 1)
      const cls = end2 > end1 + 1 ? classify(text, end1 + 1, end2) : BREAK
      if (cls === NAME || cls === 0) end = end2
    }
    out.push({ type: 'PERSON', start, end, score: 0.8, recognizer: 'person' })
  }
}

/** End of the lower-case word at `at` (ASCII and Latin letters, an inner apostrophe or hyphen), or `at` if none. */
function lowerWordEnd(text: string, at: number): number {
  const c = codeAt(text, at)
  if (!((c >= 97 && c <= 122) || (c >= 0xdf && c <= 0xff && c !== 0xf7))) return at
  return wordEnd(text, at + 1, text.length)
}

/** Whether one of the words [from, to) of the current run carries `flag` (STREET_TYPE, STREET_WORD). */
function holdsFlag(from: number, to: number, flag: number): boolean {
  for (let k = from; k < to; k++) if (wFlags[k]! & flag) return true
  return false
}

// End of the last street name read as a topic (see candidate()), or -1: set per text.
let streetTopicEnd = -1

/** The text or a sentence opens at `at` (only spaces and quotes before it, then nothing or `.` `!` `?`). */
function topicStart(text: string, at: number): boolean {
  let i = at - 1
  while (i >= 0 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 34)) i--
  if (i < 0) return true
  const c = text.charCodeAt(i)
  // After "the": a street that names a thing ("the Abbey Road album", "the Fleet Street papers").
  if (c === 101 && i >= 2 && i === at - 2 && (text.charCodeAt(i - 2) | 32) === 116 && text.charCodeAt(i - 1) === 104) {
    return i < 3 || !isLetter(text.charCodeAt(i - 3))
  }
  return c === 46 || c === 33 || c === 63
}

// Given names that are function words of other languages too, kept as names in the lexicon so that "Del Shannon" and
// "Mia Farrow" read as names (person-function-words.ts): written in lower case, these are far more often the function
// word ("el apartado 3 del artículo", "voy al mercado", "la mia casa"). "ben" and "ed" stay names ("call ben stiller").
const LOWER_FUNCTION_WORDS = new Set(['del', 'al', 'ella', 'mia'])

/** Word `k` of the run is one of LOWER_FUNCTION_WORDS (read only for lower-case candidates: a slice is cheap there). */
function lowerFunctionWord(text: string, k: number): boolean {
  return wEnd[k]! - wStart[k]! <= 5 && LOWER_FUNCTION_WORDS.has(text.slice(wStart[k]!, wEnd[k]!))
}

/** Only `, `, ` and ` or `, and ` stand between `end` and `start`: the next item of a list. */
function listedAfter(text: string, end: number, start: number): boolean {
  const gap = start - end
  if (gap === 2) return codeAt(text, end) === 44 && codeAt(text, end + 1) === 32
  if (gap === 5) return text.startsWith(' and ', end)
  return gap === 6 && text.startsWith(', and ', end)
}

/** Scores words [from, to) of the current run as one candidate name. */
function candidate(text: string, from: number, to: number, out: Finding[], leader: boolean, streetEnd: number): void {
  while (to > from && wFlags[to - 1]! & INITIAL) to--
  const count = to - from
  if (count === 0 || count > 4 || (count === 1 && wFlags[from]! & INITIAL)) return
  // A street's name, not a person's: before a street type that is no name part ("Elm Road", `streetEnd` its end), or
  // holding one that may be a surname too ("Maple Street", "Oak Street Bridge") unless it opens with a known given
  // name ("Diane Lane"). Without a house number it is still where someone lives or goes: a weak STREET_ADDRESS.
  if (
    streetEnd >= 0 ||
    ((wCls[from] !== NAME || holdsFlag(from + 1, to, STREET_WORD)) && holdsFlag(from + 1, to, STREET_TYPE))
  ) {
    const end = streetEnd >= 0 ? streetEnd : wEnd[to - 1]!
    // A street named as a topic, not as where someone is: opening a sentence ("Main Street businesses are …", "Elm
    // Street, Oak Avenue and Maple Drive are common street names"), or listed right after such a one.
    if (topicStart(text, wStart[from]!) || (streetTopicEnd >= 0 && listedAfter(text, streetTopicEnd, wStart[from]!))) {
      streetTopicEnd = end
      return
    }
    // Without a number near it or a preposition of place before it ("lives on Elm Street", "at the corner of Oak
    // Avenue and Pine Road"), a street named is a place talked about ("Wall Street reacted", "the Lombard Street
    // crowds"), not where someone is: the address patterns take streets with their numbers.
    if (
      digitNear(text, wStart[from]!, end) ||
      STREET_CUE.test(text.slice(Math.max(0, wStart[from]! - 16), wStart[from]!))
    ) {
      out.push({ type: 'STREET_ADDRESS', start: wStart[from]!, end, score: NAMED_STREET_SCORE, recognizer: 'person' })
    }
    return
  }
  const start = wStart[from]!
  const end = wEnd[to - 1]!
  if (!leader && placeOrOrganisation(text, from, to)) return
  if (count >= 2 && isOrganisationName(text, start, end)) return
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
  if (count <= 2 && (eponymAfter(text, end) || versionAfter(text, end))) return
  let ctx = contextBefore(text, start)
  // German "im" (in the) is not the chat's "im" (I'm): "im Unterricht".
  if (german && ctx === STRONG_CONTEXT && precededByIm(text, start)) ctx = 0
  const strong = leader || ctx === STRONG_CONTEXT
  // The value of a place's or a firm's field ("city": "Boston"): no person, unless a title leads it.
  if (ctx === PLACE_CONTEXT && !leader) return
  // A lone word that names a product as well as people ("Claude", "Kafka"): the product, unless a title or greeting
  // says a person ("Dear Claude").
  if (count === 1 && !strong && isOrganisationName(text, start, end)) return
  // A lone word after an article or a possessive determiner names a thing ("the Rhine", "the Norman conquest", "our
  // Pandora speaker"), not a person, unless a title or greeting says one.
  if (count === 1 && !strong && determinerBefore(text, start) && !familyAfter(text, end)) return
  // An organisation's last word alone ("Corp", "Group") after a capitalised word that ended the run ("Acme Corp").
  if (count === 1 && !strong && placeFlags(text, from) & ORG_TAIL && capitalisedWordBefore(text, start)) return
  // A lone word that names a firm or a place by its shape around it: "Johnson & Johnson", "Lincoln, Nebraska",
  // "flights from Austin to Charlotte".
  if (
    count === 1 &&
    !strong &&
    (ampersandPair(text, start, end) || regionAfter(text, end) || (ctx !== 0 && travelRoute(text, start, end)))
  )
    return
  const weak = strong || ctx === WEAK_CONTEXT || ctx === FUNCTION_CONTEXT
  const atStart = sentenceStart(text, start)
  const parts = names + ambiguous + unknown
  let s = 0
  if (lowercase > 0) {
    // Without capitals, only known name parts count: a known given name and a name-like word, or a lone one with
    // context.
    if (parts === 2 && wCls[from] === NAME && wCls[from + 1] !== AMBIGUOUS && !lowerFunctionWord(text, from)) s = 0.85
    else if (parts === 1 && names === 1)
      s =
        strong || ctx === WEAK_CONTEXT || (speaker(text, end) && dialogue(text)) || introducedBefore(text, start)
          ? 0.6
          : 0
    else if (parts === 1 && unknown === 1 && strong) s = 0.8
    // A name that is a place or a word too, where a title, greeting or "my name is" says a person ("my name is vitoria").
    else if (parts === 1 && ambiguous === 1 && ctx === STRONG_CONTEXT) s = 0.6
    if (s > 0) out.push({ type: 'PERSON', start, end, score: s, recognizer: 'person' })
    return
  }
  // A role's label on a form names no one itself ("Kunde: Müller AG"; Kunde is a surname too), nor does a column.
  if (parts === 1 && roleLabel(text, start, end)) return
  if (tables === UNKNOWN_TABLES) {
    firstBreak = text.indexOf('\n')
    tables = firstBreak === -1 ? NO_TABLES : text.indexOf('---') !== -1 ? MARKDOWN_TABLES : CSV_ONLY
  }
  if (tables !== NO_TABLES && (tables === MARKDOWN_TABLES || start < firstBreak) && tableHeader(text, start)) return
  if (parts >= 2 && (names >= 1 || initials >= 1 || strong)) s = 0.85
  else if (parts >= 2)
    s =
      weak ||
      humanVerbAfter(text, end) ||
      possessive(text, end) ||
      wholeLine(text, start, end) ||
      signedOff(text, start, end)
        ? 0.6
        : german || (atStart && !hasNonAscii(text, start, end))
          ? 0.4
          : ambiguous > 0
            ? 0.5
            : 0.55
  // A lone known name needs some support: context before it, a dialogue label, or a name-like neighbour list; in
  // German text ("das Wasser", "am Freitag") a capitalised known name without any is a noun.
  else if (names === 1)
    s = strong ? 0.85 : weak || speaker(text, end) ? 0.6 : german || fieldLabel(text, end) ? 0.4 : atStart ? 0.5 : 0.55
  else if (unknown === 1)
    s = strong
      ? 0.8
      : (atStart && speaker(text, end) && dialogue(text) && (labelRecurs(text, start, end) || saidAfter(text, end))) ||
          humanVerbAfter(text, end) ||
          attributed(text, start, end) ||
          kinAfter(text, end) ||
          signedOff(text, start, end) ||
          givenNameAfter(text, end)
        ? 0.6
        : 0.2
  else if (ambiguous === 1) s = strong ? 0.7 : givenNameAfter(text, end) ? 0.6 : 0.2
  if (s === 0) return
  out.push({ type: 'PERSON', start, end: s >= 0.5 ? givenAfterSlash(text, end) : end, score: s, recognizer: 'person' })
}

/**
 * A name in capitals written as an airline's `SURNAME/GIVEN` ("OKONKWO/CHIDI MR"): the given name after the slash is
 * part of it (the scan reads a word glued to `/` as a path's). `end` is the found name's end; returns the new end.
 */
function givenAfterSlash(text: string, end: number): number {
  if (codeAt(text, end) !== 47) return end
  const last = codeAt(text, end - 1)
  if (!(last >= 65 && last <= 90) || codeAt(text, end - 2) < 65 || codeAt(text, end - 2) > 90) return end
  let e = end + 1
  while (e < text.length && text.charCodeAt(e) >= 65 && text.charCodeAt(e) <= 90) e++
  const c = codeAt(text, e)
  return e - end > 2 && (c === -1 || c === 32 || c === 10 || c === 44) ? e : end
}
