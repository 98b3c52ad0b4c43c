import { IntHashTable } from '../int-hash-table.js'
import { PERSON_PLACE_NAMES, PERSON_TABLE } from './person-table.generated.js'

/** Token classes for PERSON detection; one Map lookup per capitalised word. */
export const NAME = 1 // a person-name part that is not mostly an English word
export const AMBIGUOUS = 2 // a name part that is also a common lower-case word ("Summer", "Royal")
export const BREAK = 3 // an English word, place, month, day or language: never part of a name

let loaded = false
/** Multi-word region names, lower case ("costa rica", "sierra leone"). */
const placeNames = new Set<string>()

/** Hashes (asciiLowerHash) of the region names written in ASCII: most candidates are rejected without a string. */
const placeHashes = new IntHashTable(9)

/** Whether text[start, end) is a multi-word region name ("Sierra Leone"), whose parts may also be names. */
export function isPlaceName(text: string, start: number, end: number): boolean {
  // An ASCII candidate can only equal an ASCII name: its hash must be listed. Others take the exact test.
  const h = asciiLowerHash(text, start, end)
  if (h !== 0 && placeHashes.get(h) === 0) return false
  return placeNames.has(text.slice(start, end).toLowerCase())
}

/** FNV-1a of text[start, end) with A–Z lower-cased (as toLowerCase() does in ASCII), or 0 if it holds other characters. */
function asciiLowerHash(text: string, start: number, end: number): number {
  let h = FNV_BASIS
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c > 127) return 0
    h = Math.imul(h ^ (c >= 65 && c <= 90 ? c + 32 : c), 0x01000193)
  }
  return h | 1
}

/**
 * Loads the PERSON tables once, lazily, from person-table.generated.ts: the (word hash, class) pairs that
 * person-lexicon-build.ts derives from @cspell/dict-people-names, US birth names (name-to-gender), SUBTLEX-US and the
 * runtime's Intl data. Decoding them takes milliseconds where building them takes about a second. Regenerate with
 * `npx tsx packages/sdk/src/redact/recognizers/person-table-generate.ts` when a source changes (a test compares).
 */
export function personLexicon(): void {
  if (loaded) return
  const bytes = Buffer.from(PERSON_TABLE, 'base64')
  const count = bytes.length / 5
  slots = new Int32Array(2 << TABLE_BITS)
  for (let i = 0; i < count; i++) insert(bytes.readInt32LE(i * 4), bytes[count * 4 + i]!)
  for (const p of PERSON_PLACE_NAMES) {
    placeNames.add(p)
    const h = asciiLowerHash(p, 0, p.length)
    if (h !== 0) placeHashes.add(h, 1)
  }
  loaded = true
}

/** Encodes a lexicon as the table personLexicon() loads: sorted 32-bit word hashes (LE), then one class byte each. */
export function encodePersonTable(words: Map<string, number>): string {
  const byHash = new Map<number, number>()
  for (const [word, cls] of words) byHash.set(hashWord(word, 0, word.length), cls)
  const hashes = [...byHash.keys()].sort((a, b) => a - b)
  const bytes = Buffer.alloc(hashes.length * 5)
  hashes.forEach((h, i) => {
    bytes.writeInt32LE(h, i * 4)
    bytes[hashes.length * 4 + i] = byHash.get(h)!
  })
  return bytes.toString('base64')
}

// The hot path never builds a string: words are hashed (FNV-1a over lower-cased UTF-16 units) while they are read
// and looked up in an open-addressing table of hashes. A 32-bit collision can only misclassify a word, at odds of
// about 107k / 2^32 per unknown word. Each slot holds the hash and its class side by side (one cache line per
// lookup), and 2^18 slots keep the table at 2 MB, about 40 % full: a lookup of a word not in the table (most
// capitalised words of ordinary prose) ends after one or two probes.
const TABLE_BITS = 18
const TABLE_MASK = (1 << TABLE_BITS) - 1
let slots = new Int32Array(0) // [hash, class] per slot
/** Lower-case mapping for the first 0x2000 code units (Latin, Greek, Cyrillic), built once. */
export const LOWER = new Uint16Array(0x2000)
for (let c = 0; c < 0x2000; c++) {
  const l = String.fromCharCode(c).toLowerCase()
  LOWER[c] = l.length === 1 ? l.charCodeAt(0) : c
}

/**
 * Case of the first 0x2000 code units, built once: CASED_UPPER where toLowerCase() changes the character, CASED_LOWER
 * where toUpperCase() does. The PERSON scan asks this for every character from U+00C0 that may open a word, and a
 * string method call there (a one-character string, then a runtime call) cost more than the rest of the word's work.
 */
export const CASE = new Uint8Array(0x2000)
export const CASED_UPPER = 1
export const CASED_LOWER = 2
for (let c = 0; c < 0x2000; c++) {
  const ch = String.fromCharCode(c)
  CASE[c] = (ch !== ch.toLowerCase() ? CASED_UPPER : 0) | (ch !== ch.toUpperCase() ? CASED_LOWER : 0)
}

/** FNV-1a offset basis (as a signed 32-bit value). */
export const FNV_BASIS = 0x811c9dc5 | 0

/** FNV-1a of text[start, end) lower-cased. */
export function hashWord(text: string, start: number, end: number): number {
  return hashWordFrom(FNV_BASIS, text, start, end) | 1 // never 0: 0 marks an empty slot
}

/**
 * hashWord()'s FNV-1a state after text[start, end), from state `h` (before its final `| 1`): a phrase is hashed by
 * going on from its first word.
 */
export function hashWordFrom(h: number, text: string, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i)
    h ^= c < 0x2000 ? LOWER[c]! : c
    h = Math.imul(h, 0x01000193)
  }
  return h
}

function insert(h: number, cls: number): void {
  let slot = h & TABLE_MASK
  while (slots[2 * slot] !== 0 && slots[2 * slot] !== h) slot = (slot + 1) & TABLE_MASK
  slots[2 * slot] = h
  slots[2 * slot + 1] = cls
}

/** Class of the word text[start, end) (NAME, AMBIGUOUS, BREAK), or 0 when unknown. Allocation-free. */
export function classify(text: string, start: number, end: number): number {
  return classifyHash(hashWord(text, start, end))
}

// A direct-mapped cache of recent lookups in front of the 2 MB table: 16 KB of keys that stay in the CPU's near
// caches. Capitalised words follow a steep frequency curve ("The", "Please", common names), so most lookups are
// answered here instead of from a table line that has to come from main memory or the last-level cache.
const CACHE_BITS = 12
const CACHE_MASK = (1 << CACHE_BITS) - 1
const cacheKeys = new Int32Array(1 << CACHE_BITS) // 0: empty (hashes are never 0)
const cacheClasses = new Uint8Array(1 << CACHE_BITS)

/** Class of a word by its hashWord() value. */
export function classifyHash(h: number): number {
  // Bits above the table's index bits pick the cache slot, so words that collide in the table do not here.
  const c = (h >>> TABLE_BITS) & CACHE_MASK
  if (cacheKeys[c] === h) return cacheClasses[c]!
  const cls = lookup(h)
  cacheKeys[c] = h
  cacheClasses[c] = cls
  return cls
}

/** classifyHash() without the cache: the table itself. */
export function lookup(h: number): number {
  const table = slots
  let at = (h & TABLE_MASK) << 1
  for (;;) {
    const k = table[at]!
    if (k === 0) return 0
    if (k === h) return table[at + 1]!
    at = (at + 2) & ((TABLE_MASK << 1) | 1)
  }
}
