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
const FOREIGN_GREETINGS = ['hallo', 'hoi', 'hola', 'ciao', 'bonjour', 'salut', 'oye', 'hiya', 'moin']
/** "Dear" in other languages ("Beste Sanne", "Liebe Frau Weber", "Estimado Sr. Pérez"): context, and never a name. */
const FOREIGN_DEARS = ['beste', 'liebe', 'lieber', 'querido', 'querida', 'estimado', 'estimada', 'gentile', 'cher']
FOREIGN_DEARS.push('chère', 'prezado', 'prezada', 'geachte', 'drogi', 'droga', 'szanowny', 'szanowna')
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
  // Czech and Polish (pane Dvořák, pani Nowak), Indonesian (Bapak Budi, Ibu Wulan, Sdr. Agus), Nordic (hr., fru).
  'pane',
  'paní',
  'pani',
  'pana',
  'bapak',
  'ibu',
  'sdr',
  'sdri',
  'hr',
  'fru',
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
  // People by their role in a form or a list ("Applicant: Aroha Ngata", "Tour guide: Bat-Erdene Ganbaatar").
  'applicant',
  'candidate',
  'employee',
  'driver',
  'sender',
  'recipient',
  'attendee',
  'attendees',
  'participant',
  'participants',
  'organizer',
  'organiser',
  'guide',
  'contact',
  'landlord',
  'receiver',
  'consignee',
  'addressee',
  'payee',
  'shipper',
  'traveler',
  'traveller',
  'student',
  'donor',
  'claimant',
  'borrower',
  'insured',
  'approver',
  'technician',
  'officer',
  'holder',
  'assigned',
  // The same roles in other languages ("Paziente: COSTA GIANLUCA", "Gönderen: SERKAN AKBULUT", "Kunde: …").
  ...['paziente', 'paciente', 'patientin', 'patiente', 'pacjent', 'patiënt', 'hasta'],
  ...['cliente', 'kunde', 'kundin', 'klant', 'klient', 'müşteri', 'pelanggan'],
  ...['empfänger', 'absender', 'mittente', 'destinatario', 'destinatário', 'destinataire', 'remitente', 'remetente'],
  ...['expéditeur', 'ontvanger', 'afzender', 'odbiorca', 'nadawca', 'gönderen', 'alıcı', 'penerima', 'pengirim'],
  ...['titular', 'titolare', 'titulaire', 'intestatario', 'inhaber', 'inhaberin', 'versicherte', 'versicherter'],
  ...['techniker', 'ansprechpartner', 'ansprechpartnerin', 'contactpersoon', 'contacto', 'contato', 'referente'],
  ...['solicitante', 'antragsteller', 'aanvrager', 'demandeur', 'wnioskodawca', 'mieter', 'mieterin', 'huurder'],
  ...['locataire', 'begunstigde', 'pic'],
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
  // "my name is" in the languages of the greetings below: "me llamo", "mi chiamo", "me chamo", "je m'appelle",
  // "ich heisse", "ik heet".
  'llamo',
  'chiamo',
  'chamo',
  "m'appelle",
  'appelle',
  'heisse',
  'heiße',
  'heet',
  "c'est",
  'sono',
  // A greeting right before a capitalised word: "Hi Ana, hi Femi".
  'hi',
  'hello',
  'hey',
  ...FOREIGN_GREETINGS,
  ...FOREIGN_DEARS,
  // Titles in other languages, lower-cased after a greeting ("Sehr geehrte Frau …" reads `frau` before the name).
  ...FOREIGN_TITLES,
])
// Family words: context before a name ("my wife Ana") and, after a possessive, evidence of one ("Asya's husband").
export const RELATIVES = ['wife', 'husband', 'son', 'daughter', 'mother', 'father', 'brother', 'sister']
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
  // "I am" and "it's" before one's own name in other languages: "Hej, det er Frederik", "Hallo, ich bin Jonas".
  'ich bin',
  'je suis',
  'ik ben',
  'jeg er',
  'det er',
  'jag heter',
  'eu sou',
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
  ...FOREIGN_DEARS,
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
export const PLACE_CONTEXT = 4 // a field whose value is a place or a firm ("city": "Boston", "company: Morgan")

// Keys whose value is a place or a firm, not a person: `"city": "Boston"` in JSON written into a prompt, `company:
// Morgan`; only as a field's key (a `:` or `=` after it), not in prose ("Don't go to town, Roy!"). A table of its own:
// the context words' flags fill their byte.
const PLACE_KEYS = new IntHashTable(7)
for (const w of [
  ...['city', 'town', 'country', 'state', 'province', 'region', 'location', 'place', 'destination', 'origin'],
  ...['venue', 'company', 'employer', 'organisation', 'organization', 'org', 'brand', 'product', 'hotel'],
  ...['airport', 'airline', 'school', 'university', 'hospital', 'street'],
  // A product's or a supplier's field ("Make: Honda", "Carrier: Yurtiçi Kargo", "Vendor: Siemens").
  ...['make', 'model', 'manufacturer', 'vendor', 'supplier', 'carrier', 'merchant', 'store', 'shop', 'station'],
])
  PLACE_KEYS.add(hashWord(w, 0, w.length), 1)
addAll(['by', 'from', 'to', 'cc', 'with', 'and', 'is', 'under', 'for', 'at', 'of', 'says', 'said'], C_FUNCTION)

/** text[start, end) is a form's label for a person ("Patient:", "Kunde:", "Cliente:"): a role word, then `:`. */
export function roleLabel(text: string, start: number, end: number): boolean {
  return codeAt(text, end) === 58 && (CONTEXT_WORDS.get(hashWord(text, start, end)) & C_STRONG) !== 0
}

/**
 * Reads the one or two words before `pos`, skipping spaces, quotes, colons, equals signs (`"name": "`) and a question
 * mark (an answer after its question: "What's your name? Ana").
 */
export function contextBefore(text: string, pos: number): number {
  let i = pos - 1
  let skipped = 0
  let keyed = false // a `:` or `=` among the fillers: the word before is a field's key
  while (i >= 0 && skipped < 8 && isFiller(text.charCodeAt(i))) {
    const c = text.charCodeAt(i)
    if (c === 58 || c === 61) keyed = true
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
  if (flags & C_WEAK) return flags & C_FUNCTION ? FUNCTION_CONTEXT : WEAK_CONTEXT
  return keyed && flags === 0 && PLACE_KEYS.get(hashWord(text, i + 1, end1)) !== 0 ? PLACE_CONTEXT : NONE
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

export function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 39
}
