import { PromptLedgerError } from '../errors.js'
import type { LedgerRecord } from '../record/schema.js'
import type { Exporter, ExportResult } from './exporter.js'

/**
 * Keeps exported records in memory, for tests and examples.
 *
 * @example
 * const memory = new MemoryExporter()
 * const ledger = createLedger({ exporters: [memory] })
 * await ledger.flush(); memory.records.length
 */
export class MemoryExporter implements Exporter {
  readonly records: LedgerRecord[] = []
  #closed = false

  async export(batch: readonly LedgerRecord[]): Promise<ExportResult> {
    if (this.#closed)
      return { ok: false, error: new PromptLedgerError('CLOSED', 'memory exporter is shut down'), retryable: false }
    // Copies: later stages (or the test) must not see each other's mutations.
    for (const r of batch) this.records.push(structuredClone(r))
    return { ok: true }
  }

  async flush(): Promise<void> {}

  async shutdown(): Promise<void> {
    this.#closed = true
  }
}
