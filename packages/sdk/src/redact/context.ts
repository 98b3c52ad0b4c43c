/**
 * Context words near a candidate raise (or lower) its score. Only candidates pay for this: a slice of the window
 * before and after, tested with a regex compiled once by the recognizer.
 */
export function nearby(text: string, start: number, end: number, words: RegExp, before = 48, after = 24): boolean {
  const s = Math.max(0, start - before)
  if (s < start && words.test(text.slice(s, start))) return true
  return after > 0 && end < text.length && words.test(text.slice(end, Math.min(text.length, end + after)))
}

/** Builds a case-insensitive whole-word matcher for a list of context words or phrases. */
export function contextWords(words: readonly string[]): RegExp {
  const alt = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[\\s_-]?')).join('|')
  // Not after `<` or `_`: the words inside our own tokens (`<PHONE_NUMBER>`, `<US_SSN>`) are not context.
  return new RegExp(`(?<![A-Za-z<_])(?:${alt})(?![a-z])`, 'i')
}
