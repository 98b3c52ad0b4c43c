import type { UnsealedRecord } from '../record/schema.js'

/**
 * Set (to true) on a built-in stage that keeps a record that is canonical as built (see
 * `RecordContext.canonical`) canonical: it sorts every object it adds and writes only keys the record holds,
 * in their place. The build worker then skips the seal's check walk over the whole record. Not part of the
 * public API: with a stage an application inserted, every record is checked.
 */
export const KEEPS_CANONICAL: unique symbol = Symbol('promptledger.keepsCanonical')

/**
 * One step of the pipeline between `toRecord` and `seal`. Stages run in order, off the caller's stack,
 * on each record of a batch; a stage mutates the record in place or returns a replacement.
 * A stage that throws drops that record only (counted as invalid, reported through `error`).
 *
 * The ledger's order is: signals → redact → encrypt → seal. Signals read the raw text (they store
 * only flags, scores and counts); the redact stage adds the response's findings as `pii_in_response`.
 * Further stages are inserted by name with `insertStage` (see ledger.ts), e.g. after `redact`.
 */
export type RecordStage = (record: UnsealedRecord) => UnsealedRecord | undefined

export interface NamedStage {
  name: 'redact' | 'signals' | 'encrypt' | (string & {})
  run: RecordStage
  /**
   * Runs once per batch after every record passed the stages and before any is written; if it
   * throws, the batch is not written (encryption persists the batch's new data keys here).
   */
  commit?: () => void
  /** `commit` that waits for the disk off the event loop; the ledger uses it when a stage has it. */
  commitAsync?: () => Promise<void>
  [KEEPS_CANONICAL]?: true
}

/** Runs the stages over one record; returns the record to seal. */
export function runStages(stages: readonly NamedStage[], record: UnsealedRecord): UnsealedRecord {
  let r = record
  for (let i = 0; i < stages.length; i++) r = stages[i]!.run(r) ?? r
  return r
}
