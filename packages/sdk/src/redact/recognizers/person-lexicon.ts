import { PERSON_PLACE_NAMES, PERSON_TABLE } from './person-table.generated.js'

/** Token classes for PERSON detection; one Map lookup per capitalised word. */
export const NAME = 1 // a person-name part that is not mostly an English word
export const AMBIGUOUS = 2 // a name part that is also a common lower-case word ("Summer", "Royal")
export const BREAK = 3 // an English word, place, month, day or language: never part of a name

let loaded = false
/** Multi-word region names, lower case ("costa rica", "sierra leone"). */
const placeNames = new Set<string>()

/** Whether text[start, end) is a multi-word region name ("Sierra Leone"), whose parts may also be names. */
export function isPlaceName(text: string, start: number, end: number): boolean {
  return placeNames.has(text.slice(start, end).toLowerCase())
}

/**
 * Loads the PERSON tables once, lazily, from person-table.generated.ts: the (word hash, class) pairs that
 * person-lexicon-build.ts derives from @cspell/dict-people-names, SUBTLEX-US and the runtime's Intl data. Decoding
 * them takes milliseconds where building them takes about a second. Regenerate with
 * `npx tsx packages/sdk/src/redact/recognizers/person-table-generate.ts` when a source changes (a test compares).
 */
export function personLexicon(): void {
  if (loaded) return
  const bytes = Buffer.from(PERSON_TABLE, 'base64')
  const count = bytes.length / 5
  keys = new Int32Array(1 << TABLE_BITS)
  values = new Uint8Array(1 << TABLE_BITS)
  for (let i = 0; i < count; i++) insert(bytes.readInt32LE(i * 4), bytes[count * 4 + i]!)
  for (const p of PERSON_PLACE_NAMES) placeNames.add(p)
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

function insert(h: number, cls: number): void {
  let slot = h & TABLE_MASK
  while (keys[slot] !== 0 && keys[slot] !== h) slot = (slot + 1) & TABLE_MASK
  keys[slot] = h
  values[slot] = cls
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
