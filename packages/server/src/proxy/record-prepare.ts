import { computeSignals, createRedactor, toRecord, type UnsealedRecord, uuidv7 } from '@promptledger/sdk'
import { serverRedact } from '../ingest/server-redact.js'
import { buildLogInput } from './build-log-input.js'
import type { Exchange } from './exchange.js'

/** What the collector does to an ingested record before sealing it that the proxy can do first, off its thread. */
export interface PrepareOptions {
  /** The server's redaction policy is on (`config.redact`): run it here, as the ingest path would. */
  redact: boolean
}

/**
 * Builds a proxied call's record and runs the ingest path's costly per-record stages on it, in the ingest path's
 * order: signals from the raw text, then the server's redaction (counts merged, response PII added to signals, the
 * same way). Ingest then skips signals (present) and its own redaction pass (told the batch is `serverRedacted`;
 * the pass would find nothing left to replace), so the stored record is what in-thread ingest would have stored,
 * for a fraction of the serving thread's time. Encryption is the record worker's next step (see record-worker.ts),
 * after it has made the record's search text from the plaintext.
 *
 * @example
 * const preparer = createRecordPreparer({ redact: true })
 * const record = await preparer.prepare(exchange)
 */
export function createRecordPreparer(opts: PrepareOptions): { prepare(ex: Exchange): Promise<UnsealedRecord> } {
  const redactor = opts.redact ? createRedactor() : undefined
  return {
    async prepare(ex) {
      const input = await buildLogInput(ex)
      // `redacted: false` until the server's redaction pass below says otherwise (as ingest marks it).
      const record = toRecord(input, { id: uuidv7(), loggedAt: Date.now(), hmacKey: null, redacted: false })
      if (!record.signals) record.signals = computeSignals(record)
      if (redactor) serverRedact(redactor, record)
      // toRecord builds the record with every key in order, and the redaction pass keeps it so (its counts and
      // `pii_in_response` are sorted as they are merged): the serving thread's seal encodes it with one native
      // stringify. One key out of order would send it down the general encoder on that thread (a sorted deep copy,
      // and a SHA-256 of a body that still holds placeholders; 26.2 against 18.0 µs of encryption and encoding for
      // the proxy bench's record, docs/performance.md, "The c=1 tail, attributed").
      return record
    },
  }
}
