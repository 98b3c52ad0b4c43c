import { isInvisible, isSpace } from './text-scan.js'

// Classes of UTF-16 code units; each character of a phrase gets a class of its own after these.
export const OTHER = 0
export const WORD = 1
export const SPACE = 2
export const BAIL = 3
export const FIRST_CHAR_CLASS = 4
/** The absorbing state: a phrase was seen, or a character the automaton does not model. */
export const HIT = 0
/** The start state: the trie's root after a space (leading whitespace is trimmed away). */
export const START = 2

/**
 * Code units whose normalization the automaton does not follow: invisible characters and Unicode tag
 * surrogates (removed and counted by the scan), whitespace that only `trim()` removes, and the two
 * characters whose lower case is ASCII (İ → i̇, Kelvin sign → k). Text holding one takes the full scan.
 */
export function bails(c: number): boolean {
  return (
    isInvisible(c) ||
    c === 0xdb40 ||
    c === 0x1680 ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x0130 ||
    c === 0x212a
  )
}

/** `\w` of a regular expression without the `u` flag. */
export const isWordChar = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f

/** Class of every UTF-16 code unit, given the classes of the phrases' characters. */
export function classTable(charClass: Map<number, number>): Uint8Array {
  const classes = new Uint8Array(0x10000)
  for (let c = 0; c < 0x10000; c++) {
    if (isSpace(c)) classes[c] = SPACE
    else if (bails(c)) classes[c] = BAIL
    else if (c < 0x80 && isWordChar(c)) classes[c] = WORD
  }
  for (const [c, k] of charClass) {
    classes[c] = k
    if (c >= 0x61 && c <= 0x7a) classes[c - 0x20] = k
  }
  // Normalization straightens curly quotes and the modifier apostrophe.
  const quote = charClass.get(0x27) ?? OTHER
  classes[0x2018] = quote
  classes[0x2019] = quote
  classes[0x02bc] = quote
  return classes
}

export interface Trie {
  /** delta[s * width + class]: the Aho–Corasick transition (goto, else via failure links). */
  delta: Int32Array
  /** Whether state s ends a pattern (its own or through its failure chain). */
  accept: Uint8Array
  width: number
}

/** The Aho–Corasick automaton of `patterns` (sequences of classes below `width`). */
export function ahoCorasick(patterns: number[][], width: number): Trie {
  const children: Array<Map<number, number>> = [new Map()]
  const ends: boolean[] = [false]
  for (const pattern of patterns) {
    let s = 0
    for (const k of pattern) {
      let next = children[s]!.get(k)
      if (next === undefined) {
        next = children.length
        children.push(new Map())
        ends.push(false)
        children[s]!.set(k, next)
      }
      s = next
    }
    ends[s] = true
  }
  const n = children.length
  const delta = new Int32Array(n * width)
  const accept = new Uint8Array(n)
  const fail = new Int32Array(n)
  // Breadth first, so each failure target's row is complete before it is copied.
  const queue: number[] = [0]
  for (let head = 0; head < queue.length; head++) {
    const s = queue[head]!
    accept[s] = ends[s] || accept[fail[s]!] ? 1 : 0
    for (let k = 0; k < width; k++) {
      const next = children[s]!.get(k)
      const viaFail = s === 0 ? 0 : delta[fail[s]! * width + k]!
      if (next === undefined) delta[s * width + k] = viaFail
      else {
        fail[next] = viaFail
        delta[s * width + k] = next
        queue.push(next)
      }
    }
  }
  return { delta, accept, width }
}

/**
 * The trie's automaton paired with a "last character was a space" bit: a space after a space leaves
 * the state as it is, which is what collapsing whitespace runs does. State ids: 0 is {@link HIT};
 * trie state s is 1 + 2s (after a non-space) and 2 + 2s (after a space). BAIL and every accepting
 * state lead to HIT, which never leaves.
 */
export function collapseSpaces({ delta, accept, width }: Trie, shift: number): Uint16Array {
  const out = new Uint16Array((1 + accept.length * 2) << shift)
  const id = (t: number, afterSpace: number) => (accept[t] ? HIT : 1 + 2 * t + afterSpace)
  for (let s = 0; s < accept.length; s++) {
    for (let afterSpace = 0; afterSpace < 2; afterSpace++) {
      const from = 1 + 2 * s + afterSpace
      for (let k = 0; k < width; k++) {
        let to: number
        if (k === BAIL) to = HIT
        else if (k === SPACE) to = afterSpace ? from : id(delta[s * width + k]!, 1)
        else to = id(delta[s * width + k]!, 0)
        out[(from << shift) | k] = to
      }
    }
  }
  return out
}

/** Two steps of `delta` per entry: pairs[(s << 2·shift) | (k1 << shift) | k2]. */
export function pairTable(delta: Uint16Array, shift: number): Uint16Array {
  const width = 1 << shift
  const pairs = new Uint16Array(delta.length << shift)
  for (let s = 0; s < delta.length >> shift; s++) {
    for (let k1 = 0; k1 < width; k1++) {
      const row = delta[(s << shift) | k1]! << shift
      const at = (s << (2 * shift)) | (k1 << shift)
      for (let k2 = 0; k2 < width; k2++) pairs[at | k2] = delta[row | k2]!
    }
  }
  return pairs
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/**
 * For two ASCII bytes read as one 16-bit unit (in the platform's byte order), the pair index
 * `(class(first) << shift) | class(second)`.
 */
export function bytePairClasses(classes: Uint8Array, shift: number): Uint16Array {
  const out = new Uint16Array(0x8000)
  for (let first = 0; first < 0x80; first++) {
    for (let second = 0; second < 0x80; second++) {
      const unit = LITTLE_ENDIAN ? first | (second << 8) : (first << 8) | second
      out[unit] = (classes[first]! << shift) | classes[second]!
    }
  }
  return out
}
