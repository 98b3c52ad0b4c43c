import type { LedgerRecord } from '../record/schema.js'

/** The outcome of one `export()` call; a failed export says whether trying again can help. */
export type ExportResult = { ok: true } | { ok: false; error: Error; retryable: boolean }

/**
 * Where sealed records go: the file ledger, a collector over HTTP, OTLP, memory (tests), console.
 * Batching and queueing happen before an exporter; retries and spooling are wrappers around one.
 */
export interface Exporter {
  /** Ships one batch. Resolves (never rejects) with the outcome. */
  export(batch: readonly LedgerRecord[]): Promise<ExportResult>
  /** Resolves when everything exported so far is durable (fsynced, acknowledged). */
  flush(): Promise<void>
  /** Flushes and releases resources; later exports fail with `CLOSED`. */
  shutdown(): Promise<void>
}
