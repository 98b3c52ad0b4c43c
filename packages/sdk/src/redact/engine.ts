import { createCustomRecognizer } from './custom-recognizer.js'
import {
  contextDigitRecognizers,
  defaultRecognizers,
  nameAndDigitRecognizers,
  profileGate,
} from './default-recognizers.js'
import { type Operator, operatorFor, replaceOperator } from './operators.js'
import { type Finding, NO_FINDINGS, type Recognizer } from './recognizer.js'
import { redactRecordFields } from './record-walker.js'
import type { RecordRedaction, Redactor, RedactorOptions, RedactResult } from './redactor.js'
import { resolveOwned } from './resolver.js'
import { DIGIT_RUNS_ONLY, NAME_RUNS, replacementsAreStable, STABLE } from './stable-check.js'
import { createStreamRedactor } from './stream-redactor.js'
import { textProfile } from './text-profile.js'

// A token the engine wrote earlier (`<EMAIL_ADDRESS>`, `<PERSON_0123456789ab>`): never re-detected, so output is stable.
const TOKEN = /<[A-Z][A-Z0-9_]*>/g
/** Findings below this score are candidates that their validators or context did not confirm. */
export const DEFAULT_MIN_SCORE = 0.5

/**
 * Creates the redaction engine: every built-in recognizer plus the caller's terms and patterns, one resolver, and an
 * operator per entity type. All regexes and tables are built here, once; `redact` allocates no regex objects.
 *
 * @example
 * const r = createRedactor({ operators: { CREDIT_CARD: 'mask' } })
 * r.redact('card 4111 1111 1111 1111').text // 'card **** **** **** 1111'
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const allRecognizers: Recognizer[] = [...(options.recognizers ?? defaultRecognizers())]
  const custom = createCustomRecognizer(options)
  if (custom) allRecognizers.push(custom)
  const minScore = options.minScore ?? DEFAULT_MIN_SCORE
  const allow = new Set((options.allow ?? []).map((a) => a.toLowerCase()))
  const operators = new Map<string, Operator>()
  for (const [type, name] of Object.entries(options.operators ?? {})) {
    if (name) operators.set(type, operatorFor(name, options.hmacKey))
  }
  // Without operators every finding takes the default token: apply() then skips a Map lookup per finding.
  const hasOperators = operators.size > 0

  // Built-in recognizers and `<TYPE>` tokens only: the case replacementsAreStable() can reason about.
  const builtInOnly =
    options.recognizers === undefined &&
    custom === null &&
    Object.values(options.operators ?? {}).every((name) => name === undefined || name === 'replace')
  // Every candidate of the last analyze() call, below minScore too (what replacementsAreStable() reads): the first
  // `candidateLists` entries are the recognizers' own result arrays, kept without copying.
  const candidates: Array<readonly Finding[]> = allRecognizers.map(() => NO_FINDINGS)
  let candidateLists = 0

  const digitRecognizers = contextDigitRecognizers()
  // Per recognizer, the text-profile bits it needs (-1: every text); see profileGate().
  const allGates = allRecognizers.map(profileGate)
  const digitGates = digitRecognizers.map(profileGate)
  const nameRecognizers = nameAndDigitRecognizers()
  const nameGates = nameRecognizers.map(profileGate)

  function analyze(text: string, recognizers: readonly Recognizer[] = allRecognizers, gates = allGates): Finding[] {
    candidateLists = 0
    if (text.length === 0) return []
    const profile = textProfile(text)
    // Indexed loops: this runs once per recognizer per text, and most recognizers find nothing. Each result is kept
    // as it came (no copy into a list of candidates); only findings at minScore or above are gathered.
    let found: Finding[] | null = null
    for (let i = 0; i < recognizers.length; i++) {
      // A recognizer whose gate bits the text lacks would return NO_FINDINGS at once: skip the call.
      const gate = gates[i]!
      const hits = gate !== -1 && (profile & gate) === 0 ? NO_FINDINGS : recognizers[i]!.find(text)
      candidates[i] = hits
      for (let k = 0; k < hits.length; k++) {
        const f = hits[k]!
        if (f.score >= minScore) {
          if (found === null) found = []
          found.push(f)
        }
      }
    }
    candidateLists = recognizers.length
    if (found === null) return []
    if (allow.size > 0) found = found.filter((f) => !allow.has(text.slice(f.start, f.end).toLowerCase()))
    if (text.indexOf('<') !== -1) found = dropInsideTokens(text, found)
    // `found` was built here: resolved without a copy.
    return resolveOwned(found)
  }

  // Length of each replacement written by the last apply() (one per finding, in order), for mapping output offsets
  // back to the original. Overwritten in place, never truncated: setting an array's length is a runtime call.
  const tokenLengths: number[] = []

  function apply(text: string, findings: Finding[]): string {
    if (findings.length === 0) return text
    let out = ''
    let pos = 0
    for (let i = 0; i < findings.length; i++) {
      const f = findings[i]!
      out += text.slice(pos, f.start)
      const op = hasOperators ? operators.get(f.type) : undefined
      const token = op === undefined ? replaceToken(f.type) : op(text.slice(f.start, f.end), f.type)
      tokenLengths[i] = token.length
      out += token
      pos = f.end
    }
    return out + text.slice(pos)
  }

  // Output of the last analyzeStable() for its findings, so redact() does not apply them a second time.
  let stableOutput = ''

  /** Findings whose application is stable: the output holds nothing the recognizers would find again. */
  function analyzeStable(text: string): Finding[] {
    let findings = analyze(text)
    stableOutput = text
    if (findings.length === 0) return findings
    // Idempotence by construction: a replacement can change a neighbour's context (a name after an address
    // token, a number next to a removed phone). Re-analyse the output; new findings never overlap our tokens, so
    // they map back to the original by a shift and merge in. The cap keeps the worst case bounded.
    for (let round = 0; round < 3; round++) {
      stableOutput = apply(text, findings)
      // Fast path: most texts provably need no second analysis, or only the digit recognizers' (see
      // stable-check.ts for the argument).
      const stability =
        round === 0 && builtInOnly ? replacementsAreStable(text, candidates, candidateLists, findings, minScore) : -1
      if (stability === STABLE) return findings
      const extra =
        stability === DIGIT_RUNS_ONLY
          ? analyze(stableOutput, digitRecognizers, digitGates)
          : stability === NAME_RUNS
            ? analyze(stableOutput, nameRecognizers, nameGates)
            : analyze(stableOutput)
      if (extra.length === 0) return findings
      findings = mergeBack(findings, extra)
    }
    stableOutput = apply(text, findings)
    return findings
  }

  function redact(text: string): RedactResult {
    // The scanners index the text by its length: anything but a string (an object, a number) has none and
    // would never finish, so a caller's type slip is a clear error here, not a hang.
    if (typeof text !== 'string') throw new TypeError(`redact(): expected a string, got ${describe(text)}`)
    const findings = analyzeStable(text)
    // Nothing found: the input string itself goes back, no copy.
    return { text: stableOutput, findings }
  }

  /** Maps findings on the output back to original offsets (they lie between tokens) and merges them in. */
  function mergeBack(applied: Finding[], extra: Finding[]): Finding[] {
    const merged = applied.slice()
    let shift = 0 // output offset minus original offset after the tokens passed so far
    let k = 0
    let tokenEnd = applied.length > 0 ? applied[0]!.start + tokenLengths[0]! : 0
    for (const e of extra) {
      while (k < applied.length && tokenEnd <= e.start) {
        shift += tokenLengths[k]! - (applied[k]!.end - applied[k]!.start)
        k++
        if (k < applied.length) tokenEnd = applied[k]!.start + shift + tokenLengths[k]!
      }
      merged.push({ ...e, start: e.start - shift, end: e.end - shift })
    }
    return resolveOwned(merged)
  }

  return {
    redact,
    redactRecord(record): RecordRedaction {
      return redactRecordFields(record, redact)
    },
    createStream() {
      return createStreamRedactor(analyzeStable, apply)
    },
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  return Array.isArray(value) ? 'an array' : typeof value
}

// `<TYPE>` per entity type, built once: the default operator writes the same few strings for every text.
const tokens = new Map<string, string>()

function replaceToken(type: string): string {
  let token = tokens.get(type)
  if (token === undefined) {
    token = replaceOperator('', type)
    tokens.set(type, token)
  }
  return token
}

function dropInsideTokens(text: string, findings: Finding[]): Finding[] {
  const spans: number[] = []
  TOKEN.lastIndex = 0
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) spans.push(m.index, m.index + m[0].length)
  if (spans.length === 0) return findings
  // A loop, not filter(): no closure per call.
  const kept: Finding[] = []
  for (const f of findings) if (!overlapsSpan(f, spans)) kept.push(f)
  return kept
}

function overlapsSpan(f: Finding, spans: readonly number[]): boolean {
  for (let i = 0; i < spans.length; i += 2) if (f.start < spans[i + 1]! && spans[i]! < f.end) return true
  return false
}
