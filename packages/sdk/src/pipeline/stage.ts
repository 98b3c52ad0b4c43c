import type { UnsealedRecord } from '../record/schema.js'

/**
 * One step of the pipeline between `toRecord` and `seal`. Stages run in order, off the caller's stack,
 * on each record of a batch; a stage mutates the record in place or returns a replacement.
 * A stage that throws drops that record only (counted as invalid, reported through `error`).
 *
 * The ledger's order is: redact → signals → encrypt → seal. `signals` and `encrypt` are inserted by
 * name with `insertStage` (see ledger.ts) so that they land between redaction and sealing.
 */
export type RecordStage = (record: UnsealedRecord) => UnsealedRecord | undefined

export interface NamedStage {
  name: 'redact' | 'signals' | 'encrypt' | (string & {})
  run: RecordStage
}

/** Runs the stages over one record; returns the record to seal. */
export function runStages(stages: readonly NamedStage[], record: UnsealedRecord): UnsealedRecord {
  let r = record
  for (let i = 0; i < stages.length; i++) r = stages[i]!.run(r) ?? r
  return r
}
