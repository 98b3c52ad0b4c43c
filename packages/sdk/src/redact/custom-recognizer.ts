import { PromptLedgerError } from '../errors.js'
import type { Finding, Recognizer } from './recognizer.js'
import type { RedactorOptions } from './redactor.js'

/** Type reported for the user's own terms and unnamed patterns. */
export const CUSTOM = 'CUSTOM'

interface CompiledPattern {
  type: string
  re: RegExp
}

/**
 * The user's own `terms` (whole words, case-insensitive) and `patterns`. Everything is compiled once here so the
 * per-call path allocates no regex objects.
 *
 * @example
 * createCustomRecognizer({ terms: ['Project Falcon'] }).find('about project falcon') // one CUSTOM finding
 */
export function createCustomRecognizer(options: Pick<RedactorOptions, 'terms' | 'patterns'>): Recognizer | null {
  const compiled: CompiledPattern[] = []
  const terms = (options.terms ?? []).map((t) => t.trim()).filter((t) => t.length > 0)
  if (terms.length > 0) {
    // Longest first so that "Project Falcon" wins over "Project" inside one alternation.
    const alternation = terms
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|')
    compiled.push({ type: CUSTOM, re: new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternation})(?![\\p{L}\\p{N}_])`, 'giu') })
  }
  for (const [i, p] of (options.patterns ?? []).entries()) {
    const { type, pattern } = p instanceof RegExp ? { type: CUSTOM, pattern: p } : p
    if (!(pattern instanceof RegExp)) {
      throw new PromptLedgerError('CONFIG_INVALID', `patterns[${i}]: expected a RegExp`)
    }
    if (!/^[A-Z][A-Z0-9_]*$/.test(type)) {
      throw new PromptLedgerError('CONFIG_INVALID', `patterns[${i}].type: expected an upper-case name like EMPLOYEE_ID`)
    }
    const flags = pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g'
    compiled.push({ type, re: new RegExp(pattern.source, flags.replace('y', '')) })
  }
  if (compiled.length === 0) return null
  const entities = [...new Set(compiled.map((c) => c.type))]
  return {
    name: 'custom',
    entities,
    find(text: string): Finding[] {
      const out: Finding[] = []
      for (const { type, re } of compiled) {
        re.lastIndex = 0
        for (let m = re.exec(text); m !== null; m = re.exec(text)) {
          if (m[0].length === 0) {
            re.lastIndex++
            continue
          }
          out.push({ type, start: m.index, end: m.index + m[0].length, score: 1, recognizer: 'custom' })
        }
      }
      return out
    },
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
