import type { Redactor, UnsealedRecord } from '@promptledger/sdk'

/**
 * The server's redaction pass over a record the client may already have redacted: its counts add to the
 * client's, so the record says what both passes found, and what it found in the response adds to
 * `signals.pii_in_response` (the PII-leak alert reads it). Shared by ingest and the proxy's record worker.
 *
 * The objects it builds (`redactions`, `signals` and its `pii_in_response`) have their keys in code-unit order, as
 * the rest of a record built by `toRecord` does: a record that was canonical before the pass stays canonical, so the
 * seal encodes it with one native stringify instead of a sorted deep copy (see `isCanonicalAsIs`).
 */
export function serverRedact(redactor: Redactor, record: UnsealedRecord): void {
  const client = record.redactions
  const { responseCounts } = redactor.redactRecord(record)
  const merged: Record<string, number> = { ...client }
  for (const [type, n] of Object.entries(record.redactions)) merged[type] = (merged[type] ?? 0) + n
  record.redactions = sortedKeys(merged)
  record.redacted = true
  if (Object.keys(responseCounts).length > 0) {
    const pii: Record<string, number> = { ...record.signals?.pii_in_response }
    for (const [type, n] of Object.entries(responseCounts)) pii[type] = (pii[type] ?? 0) + n
    record.signals = sortedKeys({ ...record.signals, pii_in_response: sortedKeys(pii) })
  }
}

/** `object` when its keys are in code-unit order already, else a copy with them in that order (small objects only). */
function sortedKeys<T extends object>(object: T): T {
  const keys = Object.keys(object)
  let sorted = true
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1]! < keys[i]!
  if (sorted) return object
  // fromEntries defines own members, a `__proto__` key included (an assignment would set the prototype instead).
  return Object.fromEntries(keys.sort().map((key) => [key, (object as Record<string, unknown>)[key]])) as T
}
