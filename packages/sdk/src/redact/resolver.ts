import type { Finding } from './recognizer.js'

/**
 * Merges overlapping findings into a set of disjoint spans: among overlapping candidates the higher score wins,
 * then the longer span, then the earlier one. Returns the winners sorted by start.
 *
 * @example
 * resolve([{ type: 'PHONE_NUMBER', start: 0, end: 11, score: 0.4 }, { type: 'US_SSN', start: 0, end: 11, score: 0.9 }])
 * // → [{ type: 'US_SSN', … }]
 */
export function resolve(findings: Finding[]): Finding[] {
  return resolveOwned(findings.slice())
}

/**
 * resolve() for an array the caller owns and will not read again: it is returned as is when its findings are
 * already ordered and disjoint (the common case), or reordered in place, so the engine copies no array per text.
 */
export function resolveOwned(findings: Finding[]): Finding[] {
  // Fast path, the common case: findings already in order and disjoint (one per recognizer, far apart).
  if (findings.length <= 1 || sortedDisjoint(findings)) return findings
  // Greedy by rank: O(n log n) sort, then O(n·k) overlap checks against the kept set (k is tiny in practice).
  const ranked = sortSmall(findings, byRank)
  const kept: Finding[] = []
  for (const f of ranked) {
    if (f.end <= f.start) continue
    let clash = false
    for (const k of kept) {
      if (f.start < k.end && k.start < f.end) {
        clash = true
        break
      }
    }
    if (!clash) kept.push(f)
  }
  return sortSmall(kept, byStart)
}

function byStart(a: Finding, b: Finding): number {
  return a.start - b.start
}

/**
 * Stable insertion sort in place: a text has a handful of findings, and Array.prototype.sort allocates a work array
 * on every call (a fifth of the engine's allocation before this). Falls back to the built-in sort for long arrays.
 */
export function sortSmall<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  if (items.length > 32) return items.sort(compare)
  for (let i = 1; i < items.length; i++) {
    const item = items[i]!
    let j = i - 1
    while (j >= 0 && compare(items[j]!, item) > 0) {
      items[j + 1] = items[j]!
      j--
    }
    items[j + 1] = item
  }
  return items
}

function sortedDisjoint(findings: Finding[]): boolean {
  for (let i = 1; i < findings.length; i++) {
    const a = findings[i - 1]!
    const b = findings[i]!
    if (b.start < a.end || a.end <= a.start || b.end <= b.start) return false
  }
  return true
}

function byRank(a: Finding, b: Finding): number {
  // Signs only: a difference of two scores is a double, boxed on every call the sort does not inline.
  if (b.score !== a.score) return b.score > a.score ? 1 : -1
  const la = a.end - a.start
  const lb = b.end - b.start
  if (lb !== la) return lb - la
  return a.start - b.start
}
