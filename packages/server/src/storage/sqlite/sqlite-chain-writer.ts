import type { LedgerRecord, UnsealedRecord } from '@promptledger/sdk'
import { applySeal, type ChainWriter, type WriteOptions, type WrittenBatch } from '../chain-writer.js'
import { recordColumns } from '../record-columns.js'
import type { EncodedBatch } from '../seal-splice.js'
import { packColumns } from './sqlite-packed-columns.js'
import type { SearchIndex } from './sqlite-search.js'
import type { SearchDocs } from './sqlite-search-worker.js'
import type { SqliteWriterThread } from './sqlite-writer-thread.js'

/**
 * A file store's `ChainWriter`: batches go to the writer thread (sqlite-writer-worker.ts), which dedupes, seals
 * and appends them; once committed, the records here get their chain fields and the search index their text.
 *
 * @example
 * const writer = storage.chainWriter('collector-a') // a SqliteChainWriter for a file store
 */
export class SqliteChainWriter implements ChainWriter {
  readonly #thread: SqliteWriterThread
  readonly #search: SearchIndex
  readonly #searchText: (record: LedgerRecord) => string

  constructor(thread: SqliteWriterThread, search: SearchIndex, searchText: (record: LedgerRecord) => string) {
    this.#thread = thread
    this.#search = search
    this.#searchText = searchText
  }

  async write(
    records: readonly UnsealedRecord[],
    encoded: EncodedBatch,
    options?: WriteOptions,
  ): Promise<WrittenBatch> {
    const written = await this.#thread.write({
      defer: options?.defer === true,
      bodies: encoded.bodies,
      layout: encoded.layout,
      columns: packColumns(
        records.map((r) => recordColumns(r as LedgerRecord)),
        records.map((r) => r.tags),
      ),
      indexed: this.#search.indexed,
    })
    const sealed: LedgerRecord[] = new Array(written.sealed.length)
    // Built by push (packed): see SearchDocs.
    const docs: SearchDocs = { rowids: [], texts: [] }
    let prev = written.prevHash
    for (let k = 0; k < sealed.length; k++) {
      const hash = written.hashes[k]!
      const record = applySeal(records[written.sealed[k]!]!, written.seq + 1 + k, prev, hash)
      sealed[k] = record
      prev = hash
      const rowid = written.rowids[k]!
      if (rowid < 0) continue
      const text = this.#searchText(record)
      if (!text) continue
      docs.rowids.push(rowid)
      docs.texts.push(text)
    }
    // Before the batch is acknowledged: a query with `q` waits for it (search-after-ack).
    if (written.queued !== null) this.#search.index(written.queued, docs)
    return { sealed, inserted: written.inserted, duplicates: records.length - written.inserted }
  }

  /** Stops the writer thread at once, as a crash would (the next batch starts a new one). */
  terminate(): Promise<void> {
    return this.#thread.terminate()
  }
}
