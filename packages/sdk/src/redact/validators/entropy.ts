/**
 * Shannon entropy in bits per character. Used as a floor for `password=`-style values, so `password=changeme`
 * style placeholders and words score lower than generated secrets.
 *
 * @example
 * shannonEntropy('aaaa') // 0
 */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0
  // Candidates are short and mostly ASCII: counts in a reused typed array, a Map only for other characters.
  ASCII.fill(0)
  let others: Map<number, number> | null = null
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 128) ASCII[c]!++
    else {
      others ??= new Map()
      others.set(c, (others.get(c) ?? 0) + 1)
    }
  }
  // No closure for the sum: one created per call costs more than the loop.
  let h = 0
  for (let c = 0; c < 128; c++) if (ASCII[c]! > 0) h -= term(ASCII[c]!, s.length)
  if (others) for (const n of others.values()) h -= term(n, s.length)
  return h
}

function term(n: number, length: number): number {
  const p = n / length
  return p * Math.log2(p)
}

const ASCII = new Uint32Array(128)

/** Counts the character classes (lower, upper, digit, other) present in `s`. */
export function characterClasses(s: string): number {
  let lower = 0
  let upper = 0
  let digit = 0
  let other = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 97 && c <= 122) lower = 1
    else if (c >= 65 && c <= 90) upper = 1
    else if (c >= 48 && c <= 57) digit = 1
    else other = 1
  }
  return lower + upper + digit + other
}
