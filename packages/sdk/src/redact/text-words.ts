import { ADDRESS_KEYS, GATE_LITERALS, POST_BOX_WORDS, PREFIXES, SUFFIXES, TYPES } from './recognizers/street-words.js'

// The words the text profile (text-profile.ts) looks for, and the character tests its scan uses. Words are FNV-1a
// hashes of lower-cased ASCII letter runs, so the scan looks each run up once, without building a string.

export const FNV = 0x811c9dc5 | 0
export const PRIME = 0x01000193

/** FNV-1a of a lower-case ASCII word, as the scan hashes a letter run (never 0). */
export function fnv(word: string): number {
  let h = FNV
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), PRIME)
  return h | 1
}

// Flags of whole words, by hash, in an open-addressing table. Module-level typed arrays and a constant mask rather
// than an IntHashTable: this lookup runs once per letter run of every text, and the field loads of a class instance
// cost the scan about a tenth of its time.
const WORD_MASK = (1 << 10) - 1
const wordKeys = new Int32Array(WORD_MASK + 1)
const wordValues = new Uint16Array(WORD_MASK + 1)

/** The W_* flags of the word with this hash (0 for none). */
export function wordFlags(h: number): number {
  let slot = h & WORD_MASK
  for (;;) {
    const k = wordKeys[slot]!
    if (k === 0) return 0
    if (k === h) return wordValues[slot]!
    slot = (slot + 1) & WORD_MASK
  }
}

/** ORs `flag` into the entry for `h` of one of this module's tables (start-up only; lookups are inlined per table). */
function insert(keys: Int32Array, values: Uint8Array | Uint16Array, mask: number, h: number, flag: number): void {
  let slot = h & mask
  while (keys[slot] !== 0 && keys[slot] !== h) slot = (slot + 1) & mask
  keys[slot] = h
  values[slot] = values[slot]! | flag
}
export const W_STREET = 1 // a street or unit word, as the street recognizer's keyword gate has it
export const W_HEAD = 2 // the first word of an address phrase ("lives", "ship")
export const W_TAIL = 4 // the second word of an address phrase ("at", "to")
export const W_KEY = 8 // a whole run that opens a provider key ("sk", "ghp")
export const W_AUTH = 16 // "bearer", "basic", "token"
export const W_TYPE = 32 // a street type ("road")
export const W_PREFIX = 64 // a street prefix ("rua")
export const W_UNIT = 128 // a unit or post-box word ("apt", "suite", "box")
export const W_NAME = 256 // "name", before "is" or "'s" ("my name is carlos")
export const W_SECRET = 512 // a word that opens a secret told in prose ("password", "Passwort", "token", "login")
export const W_SECRET_HEAD = 1024 // the first word of a two-word opener ("api" key, "private" key)
export const W_SECRET_TAIL = 2048 // its second word ("key")
export const W_GERMAN = 4096 // a German function word that is no English word ("und", "nicht", "ich")
export const W_DOT = 8192 // "dot": a mail address spelled out ("ana [at] example [dot] com")
export const W_GREETING = 16384 // a greeting before a name in lower case ("hi jess", "oye pablo")
export const W_ADDRESS_KEY = 32768 // "address" in another language ("Adresse", "Anschrift", "morada")

const addWord = (word: string, flag: number): void =>
  insert(wordKeys, wordValues, WORD_MASK, fnv(word.toLowerCase()), flag)
const ascii = (w: string): boolean => !/[^ -~]/.test(w)
const letters = (w: string): string => w.replace(/[^A-Za-z]/g, '')

// The street gate's words (`av.` as `av`) and its address phrases (`lives at`) as head and second word. Words with
// letters outside ASCII are not listed: the street recognizer tests those itself.
for (const w of GATE_LITERALS.filter(ascii)) {
  const words = w.split(' ')
  if (words.length > 1) {
    addWord(words[0]!, W_HEAD)
    addWord(words[1]!, W_TAIL)
  } else if (letters(w).length > 0) addWord(letters(w), W_STREET)
}
// The word for an address in other languages, as its ASCII letter run (`direcci` of `dirección`, `endere` of
// `endereço`): what follows one is read as an address when it opens like one (see the street recognizer's CONTEXT).
for (const w of ADDRESS_KEYS) addWord(w, W_ADDRESS_KEY)
// `p.o. box`, `p o box`, `p.obox`, `pobox`: the letter run that ends the post-box form.
for (const w of ['box', 'obox', 'pobox']) addWord(w, W_STREET)
for (const w of TYPES.split('|')) addWord(w, W_TYPE)
// The unit pattern's keywords as the letter runs they are (`p.o. box` ends in `box`, `obox` or `pobox`).
for (const w of ['apt', 'apartment', 'suite', 'ste', 'unit', 'flat', 'box', 'obox', 'pobox', 'postbox', 'psc', 'cmr'])
  addWord(w, W_UNIT)
for (const w of ['usns', 'usnv', 'apo', 'fpo', 'dpo', ...POST_BOX_WORDS.filter(ascii)]) addWord(w, W_UNIT)
for (const w of PREFIXES.split('|').filter(ascii)) addWord(letters(w), W_PREFIX)
// Provider key openers as the letter run before their `-` or `_`.
for (const w of ['sk', 'rk', 'pk', 'ghp', 'gho', 'ghu', 'ghs', 'ghr', 'github', 'glpat', 'whsec', 'hf', 'npm', 'sg'])
  addWord(w, W_KEY)
for (const w of ['bearer', 'basic', 'token']) addWord(w, W_AUTH)
addWord('name', W_NAME)
addWord('dot', W_DOT)
for (const w of ['hi', 'hey', 'hello', 'hiya', 'hola', 'oye', 'salut', 'ciao', 'hallo', 'hoi', 'moin', 'oi']) {
  addWord(w, W_GREETING)
}
// The openers of secret-prose.ts as the ASCII letter runs they are or begin with (`contrase` of `contraseña`, `passe`
// of `mot de passe`), and its two-word openers as head and tail.
for (const w of [
  ...['password', 'passwort', 'passwd', 'passcode', 'passphrase', 'passord', 'pw', 'pwd', 'kennwort', 'wachtwoord'],
  ...['contrase', 'contrasena', 'senha', 'passe', 'salasana', 'adgangskode', 'secret', 'token', 'login', 'logins'],
  ...['credentials', 'creds', 'mysql', 'mysqldump', 'mysqladmin'],
  ...['apikey', 'accesskey', 'secretkey', 'privatekey', 'signingkey'],
])
  addWord(w, W_SECRET)
for (const w of ['api', 'access', 'private', 'signing']) addWord(w, W_SECRET_HEAD)
addWord('key', W_SECRET_TAIL)
// German function words that English does not share (no "die", "den", "also", "will", "war"): two of them mark a
// text as German, where every noun is capitalised (GERMAN_TEXT). Two, not three: a short sentence ("Der Vertrag tritt
// am 1. Januar in Kraft und gilt …") holds few, and English text holds none of these.
export const GERMAN_WORDS = [
  ...['der', 'das', 'und', 'ist', 'nicht', 'ich', 'sie', 'wir', 'mit', 'auf', 'dem', 'des', 'ein', 'eine', 'einen'],
  ...['einem', 'einer', 'zu', 'von', 'bei', 'wird', 'sind', 'haben', 'habe', 'auch', 'noch', 'nach', 'wie', 'bitte'],
  ...['ihre', 'ihr', 'ihnen', 'sehr', 'uns', 'zum', 'zur', 'vom', 'beim', 'oder', 'aber', 'wenn', 'dass', 'kann'],
  ...['muss', 'mir', 'mich', 'dich', 'heute', 'leider', 'wurde', 'werden', 'diese', 'dieser', 'nur', 'schon'],
  ...['mein', 'meine', 'sich', 'geehrte', 'geehrter', 'vielen', 'dank', 'durch', 'gegen', 'ohne', 'unter'],
  ...['zwischen', 'wegen', 'seit', 'jetzt', 'dann', 'doch', 'immer', 'wieder', 'gibt', 'weil', 'damit', 'wurden'],
  ...['waren', 'hatte', 'keine', 'kein', 'mehr', 'zwei', 'drei', 'bereits', 'sowie', 'jedoch', 'etwa', 'gilt'],
]
for (const w of GERMAN_WORDS) addWord(w, W_GERMAN)
// Webhook URLs (`hooks.slack.com/services/…`, `discord.com/api/webhooks/…`, `….webhook.office.com/webhookb2/…`) and
// Shopify keys (`shpat_…`) open a key format too: the letter runs that mark them.
for (const w of ['hooks', 'webhooks', 'webhook', 'webhookb', 'shpat', 'shpca', 'shppa', 'shpss']) addWord(w, W_KEY)

/** Hash of `and`, for the conjunction test. */
export const HASH_AND = fnv('and')

// Word endings before a house number, hashed backwards from the last letter (so one hash serves every length): the
// ASCII street suffixes (`strasse`, `katu`, `str.`) and street types (`road`, `st`, `u.`), cut to their last four
// letters; an ending with a dot is told apart by DOT_TAIL. A table of their own, built like the word table.
const TAIL_MASK = (1 << 9) - 1
const tailKeys = new Int32Array(TAIL_MASK + 1)
const tailValues = new Uint8Array(TAIL_MASK + 1)
export const T_SUFFIX = 1
export const T_TYPE = 2
const DOT_TAIL = 0x5bd1e995

function tailFlags(h: number): number {
  let slot = h & TAIL_MASK
  for (;;) {
    const k = tailKeys[slot]!
    if (k === 0) return 0
    if (k === h) return tailValues[slot]!
    slot = (slot + 1) & TAIL_MASK
  }
}

// Bit `n` set: some street ending has `n` letters (with a dot after them in DOT_STREET_LENGTHS). streetTail() looks up
// only those lengths: one table read fewer per number after a word (no ending without a dot has one letter).
let streetLengths = 0
let dotStreetLengths = 0

function addTail(literal: string, flag: number, keep = 4): string {
  const tail = letters(literal).toLowerCase().slice(-keep)
  let h = FNV
  for (let i = tail.length - 1; i >= 0; i--) h = Math.imul(h ^ tail.charCodeAt(i), PRIME)
  const key = (h | 1) ^ (literal.endsWith('.') ? DOT_TAIL : 0)
  insert(tailKeys, tailValues, TAIL_MASK, key, flag)
  return tail
}

function addStreetTail(literal: string, flag: number): void {
  const length = 1 << addTail(literal, flag).length
  if (literal.endsWith('.')) dotStreetLengths |= length
  else streetLengths |= length
}
for (const s of SUFFIXES.replace(/\\/g, '').split('|').filter(ascii)) addStreetTail(s, T_SUFFIX | T_TYPE)
for (const t of [...TYPES.split('|'), 'u.']) addStreetTail(t, T_TYPE)
const STREET_LENGTHS = streetLengths
const DOT_STREET_LENGTHS = dotStreetLengths

// Endings of a key that names a secret (`db_password`, `OPENAI_API_KEY`, `client_secret`), hashed backwards like the
// street endings: the words of the secret-assignment gate.
const KEY_WORDS = [
  'pass',
  'passwd',
  'password',
  'passphrase',
  'pwd',
  'secret',
  'key',
  'token',
  'credential',
  'credentials',
]
const SECRET_KEY = 4
for (const w of KEY_WORDS) addTail(w, SECRET_KEY, w.length)
const LONGEST_KEY_WORD = Math.max(...KEY_WORDS.map((w) => w.length))
// The lengths of the key words (bit `n`: one has `n` letters) and their last letters (lower case): most `:` and `=`
// follow a key that ends in another letter (`"name":`, `id=`), rejected before any hashing, and the table is read only
// at lengths a key word has.
const KEY_WORD_LENGTHS = KEY_WORDS.reduce((bits, w) => bits | (1 << w.length), 0)
const KEY_WORD_LAST = new Uint8Array(128)
for (const w of KEY_WORDS) KEY_WORD_LAST[w.charCodeAt(w.length - 1)] = 1

/**
 * Whether the `:` or `=` at `at` assigns to a key that ends in a secret word: back over up to eight spaces or tabs
 * and one quote, the letters before it end in `password`, `secret`, `key`, `token`, … (any case; as the
 * secret-assignment gate, which reads the same suffixes).
 */
export function secretKeyBefore(text: string, at: number): boolean {
  let k = at - 1
  while (k >= 0 && at - 1 - k < 8 && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k--
  if (k >= 0 && (text.charCodeAt(k) === 34 || text.charCodeAt(k) === 39)) k--
  // A character outside ASCII folds onto an ASCII one here and fails the letter test below.
  if (k < 0 || KEY_WORD_LAST[(text.charCodeAt(k) | 32) & 127] === 0) return false
  let h = FNV
  for (let len = 1; len <= LONGEST_KEY_WORD && k >= 0 && isAsciiLetter(text.charCodeAt(k)); len++, k--) {
    h = Math.imul(h ^ (text.charCodeAt(k) | 32), PRIME)
    if ((KEY_WORD_LENGTHS & (1 << len)) !== 0 && tailFlags(h | 1) & SECRET_KEY) return true
  }
  return false
}

/**
 * Street tails before the number at `at`: T_SUFFIX when the word before one to three whitespace characters ends like
 * a compound street name, T_TYPE when it ends like a street type or suffix and only spaces stand between (its last
 * two, three or four letters; `str.` and `u.` with their dot).
 */
export function streetTail(text: string, at: number): number {
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
  let flags = 0
  let h = FNV
  const lengths = dot ? DOT_STREET_LENGTHS : STREET_LENGTHS
  for (let len = 1; len <= 4 && k >= 0 && isAsciiLetter(text.charCodeAt(k)); len++, k--) {
    h = Math.imul(h ^ (text.charCodeAt(k) | 32), PRIME)
    if ((lengths & (1 << len)) !== 0) flags |= tailFlags((h | 1) ^ (dot ? DOT_TAIL : 0))
  }
  return spacesOnly ? flags : flags & T_SUFFIX
}

/**
 * Whether the run's first letters open a provider key that starts without a separator: `xox…`, `eyJ…` (case
 * matters, as in the key alternation), `AKIA`, `ASIA`, `AGPA`, `AIDA`, `AIPA`, `AIza`, `AROA`, `ANPA`, `ANVA`.
 */
export function keyPrefix(text: string, start: number, len: number): boolean {
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

function isAsciiLetter(c: number): boolean {
  return ((c | 32) - 97) >>> 0 < 26
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13)
}
