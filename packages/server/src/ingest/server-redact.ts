import type { Redactor, UnsealedRecord } from '@promptledger/sdk'

/**
 * The server's redaction pass over a record the client may already have redacted: its counts add to the
 * client's, so the record says what both passes found, and what it found in the response adds to
 * `signals.pii_in_response` (the PII-leak alert reads it). Shared by ingest and the proxy's record worker.
 */
export function serverRedact(redactor: Redactor, record: UnsealedRecord): void {
  const client = record.redactions
  const { responseCounts } = redactor.redactRecord(record)
  const merged: Record<string, number> = { ...client }
  for (const [type, n] of Object.entries(record.redactions)) merged[type] = (merged[type] ?? 0) + n
  record.redactions = merged
  record.redacted = true
  if (Object.keys(responseCounts).length > 0) {
    const pii: Record<string, number> = { ...record.signals?.pii_in_response }
    for (const [type, n] of Object.entries(responseCounts)) pii[type] = (pii[type] ?? 0) + n
    record.signals = { ...record.signals, pii_in_response: pii }
  }
}
