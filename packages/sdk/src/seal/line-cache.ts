import type { LedgerRecord } from '../record/schema.js'

// The seal stage already produced each record's canonical line; writers look it up here instead of
// serializing again. A WeakMap keeps records free of hidden fields and lets lines be collected with them.
const lines = new WeakMap<LedgerRecord, string>()

/** Remembers the canonical NDJSON line of a sealed record. */
export function rememberLine(record: LedgerRecord, line: string): void {
  lines.set(record, line)
}

/** The canonical line of a sealed record, if the seal stage made one. */
export function cachedLine(record: LedgerRecord): string | undefined {
  return lines.get(record)
}
