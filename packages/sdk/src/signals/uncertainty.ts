import { buildPhraseAutomaton, mayContainPhrase, type PhraseAutomaton } from './phrase-automaton.js'
import { scanText } from './text-scan.js'

const NON_ASCII = /[\u0080-\uffff]/

/**
 * Phrases that mark an answer the model itself was unsure of, matched case-insensitively. The first two
 * are the specification's; the rest are their common variants.
 */
export const DEFAULT_UNCERTAINTY_PHRASES: readonly string[] = [
  "i'm not sure",
  'as an ai',
  'i am not sure',
  "i'm not certain",
  'i am not certain',
  'as a language model',
  'as an language model',
  "i don't know",
  'i do not know',
  "i can't be sure",
  'i cannot be sure',
  'i cannot be certain',
  "i can't be certain",
  'i may be wrong',
  'i might be wrong',
  "i don't have enough information",
  'i do not have enough information',
  "i don't have access to real-time",
  'i do not have access to real-time',
  "i'm unable to verify",
  'i am unable to verify',
]

/**
 * Finds configured phrases in normalized text. Phrases are normalized once, at construction, the same
 * way the text is (case, whitespace, curly quotes), so matching is a handful of `includes` calls.
 *
 * @example
 * const m = new UncertaintyMatcher()
 * m.match(scanText("I’m NOT sure, sorry").normalized) // ["i'm not sure"]
 */
export class UncertaintyMatcher {
  readonly #phrases: Array<{ phrase: string; normalized: string }>
  /** All phrases in one alternation: one native pass over the answer instead of one `indexOf` per phrase. */
  readonly #any: RegExp | null
  /** The same phrases for raw ASCII text (see `mayMatch`); null when a phrase is not ASCII. */
  readonly #raw: RegExp | null
  /** The phrases for raw text of any script (see `mayMatch`); null when a phrase is not ASCII. */
  readonly #automaton: PhraseAutomaton | null

  constructor(phrases: readonly string[] = DEFAULT_UNCERTAINTY_PHRASES) {
    this.#phrases = phrases
      .map((phrase) => ({ phrase, normalized: scanText(phrase).normalized }))
      .filter((p) => p.normalized.length > 0)
    const escaped = this.#phrases.map((p) => escapeRegExp(p.normalized))
    this.#any = escaped.length > 0 ? new RegExp(escaped.join('|')) : null
    const ascii = this.#phrases.every((p) => !NON_ASCII.test(p.normalized))
    const normalized = this.#phrases.map((p) => p.normalized)
    this.#raw =
      this.#any !== null && ascii ? new RegExp(prefixAlternation(normalized, '[\\t\\n\\v\\f\\r ]+'), 'i') : null
    // ASCII answers take the regular expression, so the automaton needs no tables for ASCII text.
    this.#automaton = buildPhraseAutomaton(
      normalized.map((text) => ({ text })),
      { asciiTables: false },
    )
  }

  /**
   * Whether `text` (raw, not normalized) may hold a phrase; false is certain, so an answer without any
   * phrase (the common case) is never normalized. For ASCII text and phrases the alternation runs
   * case-insensitively with any whitespace run for each space, which matches wherever the normalized
   * text would (the phrases all start with one of two letters, which the regular expression engine
   * skips to: twice as fast as the automaton here); other text goes through the automaton.
   */
  mayMatch(text: string): boolean {
    if (this.#any === null) return false
    // One native count (UTF-8 bytes equal code units only for ASCII) instead of a regular expression pass.
    if (this.#raw !== null && Buffer.byteLength(text) === text.length) return this.#raw.test(text)
    return this.#automaton === null || mayContainPhrase(this.#automaton, text)
  }

  /** The configured phrases found in `normalized`, in configuration order. */
  match(normalized: string): string[] {
    if (this.#any === null || !this.#any.test(normalized)) return []
    const found: string[] = []
    for (const p of this.#phrases) if (containsWord(normalized, p.normalized)) found.push(p.phrase)
    return found
  }
}

/** `includes` that also requires the match to end at a word boundary ("as an ai" is not in "as an aide"). */
function containsWord(text: string, phrase: string): boolean {
  let at = text.indexOf(phrase)
  while (at !== -1) {
    const next = text.charCodeAt(at + phrase.length)
    const letter = (next >= 0x61 && next <= 0x7a) || (next >= 0x30 && next <= 0x39)
    if (!letter) return true
    at = text.indexOf(phrase, at + 1)
  }
  return false
}

interface PrefixTrie {
  next: Map<string, PrefixTrie>
  /** A phrase ends here. */
  end: boolean
}

/**
 * The phrases as one regular expression with their shared prefixes factored out (`i(?:'m …|\s+am …)`),
 * each space replaced by `space`: the engine tries a shared prefix once per position instead of once
 * per phrase (0.33 → 0.27 µs on the benches' answer). A phrase that extends another is left out: where
 * it matches, the shorter one matches too.
 */
function prefixAlternation(phrases: readonly string[], space: string): string {
  const root: PrefixTrie = { next: new Map(), end: false }
  for (const phrase of phrases) {
    let node = root
    for (const ch of phrase) {
      let child = node.next.get(ch)
      if (child === undefined) {
        child = { next: new Map(), end: false }
        node.next.set(ch, child)
      }
      node = child
    }
    node.end = true
  }
  const emit = (node: PrefixTrie): string => {
    if (node.end) return ''
    const alternatives = [...node.next].map(([ch, child]) => (ch === ' ' ? space : escapeRegExp(ch)) + emit(child))
    return alternatives.length === 1 ? alternatives[0]! : `(?:${alternatives.join('|')})`
  }
  return emit(root)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
