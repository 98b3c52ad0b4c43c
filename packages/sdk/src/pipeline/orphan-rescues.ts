import { FileLedgerExporter, type FileLedgerOptions } from '../exporters/file-ledger/file-ledger.js'
import { orphanRescues, type Rescued, readRescues, removeRescues } from '../exporters/file-ledger/rescue-file.js'
import type { LedgerRecord } from '../record/schema.js'
import { Chain } from '../seal/chain.js'
import { BatchBuilder, type BatchBuilderOptions } from './batch-builder.js'

export interface OrphanRescueOptions {
  /** The adopting ledger's file options; each orphan stream is opened with them under its own name. */
  file: FileLedgerOptions
  hmacKey: Buffer
  redacted: boolean
  /** Whether the sealed records are wanted as objects (exporters beside the file ledger take them). */
  keepRecords: boolean
  /** A record that could not be sealed (a rescue file altered by hand): reported, left out. */
  onInvalid: BatchBuilderOptions['onInvalid']
}

export type OrphanOutcome =
  | { stream: string; rescued: Rescued; records: LedgerRecord[] | null }
  | { stream: string; error: Error }

/**
 * Seals the records other processes rescued at exit (rescue-file.ts) into their own streams, when no live process
 * writes them: with the default stream name (one per process) the process that rescued them never comes back. Each
 * stream's writer lock is taken, its records sealed and fsynced, then the outcome is yielded (the caller sends the
 * records on, reports), and only then are the rescue files removed and the stream let go.
 */
export async function* sealOrphanRescues(o: OrphanRescueOptions): AsyncGenerator<OrphanOutcome> {
  for (const stream of await orphanRescues(o.file.dir)) {
    if (stream === o.file.stream) continue
    let file: FileLedgerExporter
    try {
      file = new FileLedgerExporter({ ...o.file, stream })
    } catch {
      continue // written by a live process (its own ledger seals them), or not a stream: left alone
    }
    try {
      const rescued = readRescues(file.streamDir)
      if (rescued === null) continue
      let records: LedgerRecord[] | null = null
      if (rescued.records.length > 0) {
        const builder = new BatchBuilder(new Chain(file.head), {
          stages: [],
          hmacKey: o.hmacKey,
          redacted: o.redacted,
          keepRecords: o.keepRecords,
          onInvalid: o.onInvalid,
        })
        const sealed = builder.seal({ records: rescued.records, canonical: new Uint8Array(rescued.records.length) })
        const written = await file.exportBuffer(sealed.lines)
        if (!written.ok) throw written.error
        await file.flush()
        records = sealed.records
      }
      yield { stream, rescued, records }
      removeRescues(file.streamDir, rescued.files)
    } catch (err) {
      yield { stream, error: err as Error }
    } finally {
      await file.shutdown()
    }
  }
}
