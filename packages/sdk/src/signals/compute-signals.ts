import { canonicalOrSame } from '../record/canonical.js'
import type { LedgerRecord, RecordSignals, UnsealedRecord } from '../record/schema.js'
import type { RecordRedaction } from '../redact/redactor.js'
import { INJECTION_RULES, type InjectionResult, type InjectionRule, scorePrompt } from './injection-rules.js'
import { promptText, responseChars, responseText } from './record-text.js'
import { normalizeText } from './text-scan.js'
import { DEFAULT_UNCERTAINTY_PHRASES, UncertaintyMatcher } from './uncertainty.js'

export interface SignalOptions {
  /** Replaces the built-in uncertainty phrases (case-insensitive). */
  uncertaintyPhrases?: readonly string[]
  /** Added to the built-in (or replaced) phrases. */
  extraUncertaintyPhrases?: readonly string[]
  /** Injection heuristics to run; defaults to {@link INJECTION_RULES}. An empty list turns scoring off. */
  injectionRules?: readonly InjectionRule[]
  /** Characters of prompt and of response scanned at most, so a huge payload costs a bounded scan. */
  maxScanChars?: number
}

/** Computes a record's `signals`; built once (phrases normalized, rules chosen), called per record. */
export interface SignalComputer {
  /**
   * Reads the record's content and takes `pii_in_response` from the redaction engine's result when
   * given. Works on redacted content too; only an encoded blob the redactor replaced as a secret is
   * then missed, so call it on raw content where the pipeline allows.
   */
  compute(record: UnsealedRecord | LedgerRecord, redaction?: Pick<RecordRedaction, 'responseCounts'>): RecordSignals
}

const DEFAULT_MAX_SCAN_CHARS = 256 * 1024

/**
 * Builds a signal computer. Cost per record is linear in its text: one table walk over the raw prompt
 * and one regular expression over the raw answer; only a text that may hold a hint, a phrase or a
 * counted character is then normalized and run through the rules or the phrase list.
 *
 * @example
 * const signals = createSignals({ extraUncertaintyPhrases: ['no idea'] })
 * record.signals = signals.compute(record, redactor.redactRecord(record))
 */
export function createSignals(options: SignalOptions = {}): SignalComputer {
  const phrases = [
    ...(options.uncertaintyPhrases ?? DEFAULT_UNCERTAINTY_PHRASES),
    ...(options.extraUncertaintyPhrases ?? []),
  ]
  const matcher = new UncertaintyMatcher(phrases)
  const rules = options.injectionRules ?? INJECTION_RULES
  const maxChars = options.maxScanChars ?? DEFAULT_MAX_SCAN_CHARS
  return {
    compute(record, redaction) {
      const answer = responseText(record, maxChars)
      const found = answer && matcher.mayMatch(answer) ? matcher.match(normalizeText(answer)) : []
      let injection: InjectionResult | undefined
      if (rules.length > 0) {
        const prompt = promptText(record, maxChars)
        injection = prompt ? scorePrompt(prompt, rules) : { score: 0, rules: [] }
      }
      // Keys are added in code-unit order so the record stays canonical as built and sealing needs no
      // sorted copy (see seal/encode-record.ts); the tests compare with the sorted encoding.
      const signals: RecordSignals = {}
      if (injection && injection.rules.length > 0) signals.injection_rules = injection.rules
      if (injection) signals.injection_score = injection.score
      if (redaction) signals.pii_in_response = { ...redaction.responseCounts }
      signals.response_chars = responseChars(record)
      signals.uncertainty = found.length > 0
      if (found.length > 0) signals.uncertainty_phrases = found
      // Signals given by the caller are kept unless computed here, as before; rare, so a sorted copy is fine.
      return record.signals ? canonicalOrSame({ ...record.signals, ...signals }) : signals
    },
  }
}

let defaultComputer: SignalComputer | undefined

/**
 * Computes signals with the built-in phrases and rules (see {@link SignalComputer.compute}).
 *
 * @example
 * const counts = redactor.redactRecord(record)
 * record.signals = computeSignals(record, counts) // { response_chars: 42, uncertainty: false, injection_score: 0, pii_in_response: {} }
 */
export function computeSignals(
  record: UnsealedRecord | LedgerRecord,
  redaction?: Pick<RecordRedaction, 'responseCounts'>,
): RecordSignals {
  defaultComputer ??= createSignals()
  return defaultComputer.compute(record, redaction)
}
