import type { LedgerRecord, UnsealedRecord } from '@promptledger/sdk'
import type { EncodedBatch } from './seal-splice.js'

export interface WrittenBatch {
  /** The records sealed, in order: the objects passed in, with `seq`, `prev_hash` and `hash` set. */
  sealed: LedgerRecord[]
  inserted: number
  /** Records skipped: their id was stored already, or came earlier in the batch. */
  duplicates: number
}

/**
 * Seals batches into one stream and stores them: records whose id is stored or repeats are dropped before
 * sealing (a retried batch never consumes seq numbers), the rest are sealed after the stream's head and
 * stored, all or nothing; batches are sealed in the order `write` is called, and a failed one leaves the head
 * where it was. Two implementations: `InlineChainWriter` (any store, on the calling thread) and the SQLite
 * writer thread (sqlite-writer-thread.ts), which owns the store's write connection.
 *
 * @example
 * const written = await writer.write(records, encoded) // encoded by ingest/seal-encoder.ts
 */
export interface ChainWriter {
  write(records: readonly UnsealedRecord[], encoded: EncodedBatch, options?: WriteOptions): Promise<WrittenBatch>
}

/** How a batch is handed to a `ChainWriter`. */
export interface WriteOptions {
  /**
   * No client waits for this batch's answer (the proxy's records): a writer may hold it briefly to commit it with
   * the batches that follow (see sqlite-writer-worker.ts). Writers without group commit ignore it.
   */
  defer?: boolean
}

/** Sets the chain fields the seal gave a record (its `stream` was set when it was encoded). */
export function applySeal(record: UnsealedRecord, seq: number, prevHash: string, hash: string): LedgerRecord {
  const sealed = record as LedgerRecord
  sealed.seq = seq
  sealed.prev_hash = prevHash
  sealed.hash = hash
  return sealed
}
