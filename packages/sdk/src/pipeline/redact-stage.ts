import { canonicalOrSame } from '../record/canonical.js'
import { createRedactor } from '../redact/index.js'
import type { RedactorOptions } from '../redact/redactor.js'
import { KEEPS_CANONICAL, type NamedStage } from './stage.js'

/** The redaction stage: every free-text field of the record, counts into `redactions`. */
export function redactStage(options: RedactorOptions): NamedStage {
  const redactor = createRedactor(options)
  return {
    name: 'redact',
    run(record) {
      const { responseCounts } = redactor.redactRecord(record)
      // Counts are kept in the order the findings came; sorted here so that the record stays canonical.
      record.redactions = canonicalOrSame(record.redactions)
      // What the response held before redaction: the `pii_in_response` signal the PII-leak alert reads.
      // Sorted so that the record stays canonical as built (see seal/encode-record.ts).
      record.signals = canonicalOrSame({ ...record.signals, pii_in_response: responseCounts })
      return record
    },
    [KEEPS_CANONICAL]: true,
  }
}
