import {
  ahoCorasick,
  bytePairClasses,
  classTable,
  collapseSpaces,
  FIRST_CHAR_CLASS,
  HIT,
  isWordChar,
  OTHER,
  pairTable,
  SPACE,
  START,
} from './automaton-tables.js'

/** A literal in normalized form (lower case, single spaces), optionally followed by a regex `\b`. */
export interface AutomatonPhrase {
  text: string
  /** The phrase must be followed by a non-word character or the end of the text, like `mode\b`. */
  wordEnd?: boolean
}

/** State ids are 16-bit; the two-character table (2 bytes an entry) stays under 2 MB. */
const MAX_STATES = 0xffff
const MAX_PAIR_ENTRIES = 1 << 20
/** ASCII text up to this length is walked as bytes (see `walkAscii`); longer text a code unit at a time. */
const SCRATCH_BYTES = 64 * 1024
const encoder = new TextEncoder()
const scratch = new Uint8Array(SCRATCH_BYTES)
const scratchPairs = new Uint16Array(scratch.buffer)

/**
 * Answers in one pass over raw text whether its normalized form (`scanText(text).normalized`) contains
 * one of a set of phrases, without building the normalized copy: a deterministic automaton over
 * character classes (Aho–Corasick) whose state also remembers whether the last character was a space,
 * so that whitespace runs collapse as normalization collapses them. Upper-case ASCII and curly quotes
 * fold into the classes of their normalized characters. Exact for text without a character it does
 * not model (invisible, tag, İ, …: see `bails`); such text always answers true.
 *
 * Plain tables and free functions rather than a class: kept in a module constant, the tables become
 * constants of the caller's compiled code, and the walk over typed arrays the compiler knows takes
 * about two thirds of the time it takes when they are read from an instance (0.50 vs 0.77 µs on the
 * benches' 1.2 KB prompt).
 */
export interface PhraseAutomaton {
  readonly classes: Uint8Array
  readonly delta: Uint16Array
  readonly shift: number
  /** Two steps of `delta` per entry, for ASCII text read two bytes at a time; null: not built. */
  readonly pairs: Uint16Array | null
  readonly pairClasses: Uint16Array | null
}

/**
 * Builds the automaton, or returns null when a phrase holds a character it cannot fold (non-ASCII,
 * upper case or control characters) or the phrases are too many for its tables. `asciiTables` builds
 * the byte-pair tables that speed up ASCII text (up to 2 MB; 0.7 MB for the injection hints).
 *
 * @example
 * const hints = buildPhraseAutomaton([{ text: 'ignore' }, { text: 'act as' }], { asciiTables: true })
 * mayContainPhrase(hints!, 'Please ACT\n  as a pirate') // true
 */
export function buildPhraseAutomaton(
  phrases: readonly AutomatonPhrase[],
  { asciiTables }: { asciiTables: boolean },
): PhraseAutomaton | null {
  const charClass = new Map<number, number>()
  for (const { text } of phrases) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c >= 0x80 || c < 0x20 || (c >= 0x41 && c <= 0x5a)) return null
      if (c !== 0x20 && !charClass.has(c)) charClass.set(c, FIRST_CHAR_CLASS + charClass.size)
    }
  }
  const shift = Math.ceil(Math.log2(FIRST_CHAR_CLASS + charClass.size))
  const nonWord = [OTHER, SPACE, ...[...charClass].filter(([c]) => !isWordChar(c)).map(([, k]) => k)]
  const patterns: number[][] = []
  for (const { text, wordEnd } of phrases) {
    if (text.length === 0) continue
    const body = [...text].map((ch) => (ch === ' ' ? SPACE : charClass.get(ch.charCodeAt(0))!))
    if (wordEnd) for (const end of nonWord) patterns.push([...body, end])
    else patterns.push(body)
  }
  const trie = ahoCorasick(patterns, 1 << shift)
  const states = 1 + 2 * trie.accept.length
  if (states > MAX_STATES || (asciiTables && states << (2 * shift) > MAX_PAIR_ENTRIES)) return null
  const classes = classTable(charClass)
  const delta = collapseSpaces(trie, shift)
  return {
    classes,
    delta,
    shift,
    pairs: asciiTables ? pairTable(delta, shift) : null,
    pairClasses: asciiTables ? bytePairClasses(classes, shift) : null,
  }
}

/** Whether the normalized form of `text` may contain one of the automaton's phrases; false is certain. */
export function mayContainPhrase(automaton: PhraseAutomaton, text: string): boolean {
  const s =
    automaton.pairs !== null && isAsciiInScratch(text) ? walkAscii(automaton, text.length) : walk(automaton, text)
  // The end of the text is a word boundary.
  return automaton.delta[s << automaton.shift] === HIT
}

/**
 * Whether `text` is ASCII, encoded into `scratch`: a native UTF-8 encode of the whole text that writes
 * one byte per code unit.
 */
function isAsciiInScratch(text: string): boolean {
  if (text.length > SCRATCH_BYTES) return false
  const { read, written } = encoder.encodeInto(text, scratch)
  return read === text.length && written === text.length
}

/** The state after `text`, one code unit at a time. */
function walk({ classes, delta, shift }: PhraseAutomaton, text: string): number {
  let s = START
  for (let i = 0; i < text.length; i++) s = delta[(s << shift) | classes[text.charCodeAt(i)]!]!
  return s
}

/**
 * The state after the `n` ASCII bytes in `scratch`, two bytes (one 16-bit read) per table load: about
 * 60% of `walk` on the benches' 1.2 KB prompt (0.50 vs 0.85 µs, encoding included), as typed-array
 * reads are cheaper than `charCodeAt` and the chain of dependent loads is half as long.
 */
function walkAscii({ classes, delta, shift, pairs, pairClasses }: PhraseAutomaton, n: number): number {
  const shift2 = 2 * shift
  let s = START
  const units = n >> 1
  for (let j = 0; j < units; j++) s = pairs![(s << shift2) | pairClasses![scratchPairs[j]!]!]!
  return n & 1 ? delta[(s << shift) | classes[scratch[n - 1]!]!]! : s
}
