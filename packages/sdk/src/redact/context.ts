/**
 * Context words near a candidate raise (or lower) its score. Only candidates pay for this: a slice of the window
 * before and after, tested with a regex compiled once by the recognizer.
 */
export function nearby(text: string, start: number, end: number, words: RegExp, before = 48, after = 24): boolean {
  return wordsBefore(text, start, words, before) || wordsAfter(text, end, words, after)
}

/** nearby()'s test of the `before` characters ending at `start`. */
export function wordsBefore(text: string, start: number, words: RegExp, before: number): boolean {
  const s = Math.max(0, start - before)
  return s < start && words.test(text.slice(s, start))
}

/** nearby()'s test of the `after` characters starting at `end`. */
export function wordsAfter(text: string, end: number, words: RegExp, after: number): boolean {
  return after > 0 && end < text.length && words.test(text.slice(end, Math.min(text.length, end + after)))
}

/** Builds a case-insensitive whole-word matcher for a list of context words or phrases. */
export function contextWords(words: readonly string[]): RegExp {
  const alt = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[\\s_-]?')).join('|')
  // Not after `<` or `_`: the words inside our own tokens (`<PHONE_NUMBER>`, `<US_SSN>`) are not context.
  return new RegExp(`(?<![A-Za-z<_])(?:${alt})(?![a-z])`, 'i')
}
