import type { LedgerRecord, UnsealedRecord } from '../record/schema.js'
import type { Finding, Recognizer } from './recognizer.js'
import type { StreamRedactor } from './stream-redactor.js'

export interface RedactResult {
  text: string
  /** Offsets into the original text. */
  findings: Finding[]
}

export type OperatorName = 'replace' | 'mask' | 'hmac' | 'drop'

export interface RedactorOptions {
  /** Recognizers to run; defaults to every built-in recognizer. */
  recognizers?: Recognizer[]
  /** Words or phrases to remove wherever they appear (case-insensitive, whole words). */
  terms?: string[]
  /** Extra patterns; each match is reported as `CUSTOM` unless named. */
  patterns?: Array<RegExp | { type: string; pattern: RegExp }>
  /** Values that are never redacted (exact match, case-insensitive). */
  allow?: string[]
  /** Operator per entity type; `replace` writes `<TYPE>`. */
  operators?: Partial<Record<string, OperatorName>>
  /** Key for the `hmac` operator. */
  hmacKey?: Buffer
  /** Findings scoring below this are dropped (0..1, default 0.5). */
  minScore?: number
}

/**
 * Removes personal data and secrets from text and from whole records.
 *
 * @example
 * const r = createRedactor()
 * r.redact('mail me at ana@example.com').text // 'mail me at <EMAIL_ADDRESS>'
 */
export interface Redactor {
  redact(text: string): RedactResult
  /**
   * Redacts every free-text field of a record in place (messages, input, tool arguments, output,
   * tool calls, error message, metadata strings). Sets `record.redactions` and returns the counts.
   */
  redactRecord<T extends UnsealedRecord | LedgerRecord>(record: T): RecordRedaction
  /** An incremental redactor for text that arrives in chunks; output equals redacting the whole text at once. */
  createStream(): StreamRedactor
}

export interface RecordRedaction {
  /** Findings per entity type over the whole record (what goes into `redactions`). */
  counts: Record<string, number>
  /** Findings per entity type in the response alone, before redaction (the `pii_in_response` signal). */
  responseCounts: Record<string, number>
}
