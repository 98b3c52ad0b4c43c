import { genesis, type LedgerRecord, type UnsealedRecord } from '@promptledger/sdk'
import { applySeal, type ChainWriter, type WrittenBatch } from './chain-writer.js'
import { type EncodedBatch, spliceSeal } from './seal-splice.js'
import { canonicalLines, type Storage } from './storage.js'

/**
 * The `ChainWriter` of a store without a writer thread (in-memory stores): it seals on the calling thread and
 * appends through `Storage.append`, one batch at a time.
 *
 * @example
 * const writer = new InlineChainWriter(storage, 'collector-a')
 */
export class InlineChainWriter implements ChainWriter {
  readonly #storage: Storage
  readonly #stream: string
  #tail: Promise<unknown> = Promise.resolve()

  constructor(storage: Storage, stream: string) {
    this.#storage = storage
    this.#stream = stream
  }

  write(records: readonly UnsealedRecord[], encoded: EncodedBatch): Promise<WrittenBatch> {
    const run = this.#tail.then(() => this.#write(records, encoded))
    this.#tail = run.catch(() => undefined)
    return run
  }

  async #write(records: readonly UnsealedRecord[], encoded: EncodedBatch): Promise<WrittenBatch> {
    // The committed head, read per batch: a failed append left it where it was.
    const head = (await this.#storage.head(this.#stream)) ?? genesis(this.#stream)
    const stored = await this.#storage.existingIds(records.map((r) => r.id))
    const seen = new Set<string>()
    const sealed: LedgerRecord[] = []
    let seq = head.seq
    let prev = head.hash
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!
      if (stored.has(record.id) || seen.has(record.id)) continue
      seen.add(record.id)
      const { hash, line } = spliceSeal(encoded.bodies[i]!, encoded.layout, i, ++seq, prev)
      const done = applySeal(record, seq, prev, hash)
      // The store writes this line as the body instead of serializing the record again.
      canonicalLines.set(done, line)
      sealed.push(done)
      prev = hash
    }
    if (sealed.length === 0) return { sealed, inserted: 0, duplicates: records.length }
    const result = await this.#storage.append(sealed)
    return { sealed, inserted: result.inserted, duplicates: records.length - sealed.length + result.duplicates }
  }
}
