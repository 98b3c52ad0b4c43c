import { EventEmitter } from 'node:events'
import {
  Chain,
  computeSignals,
  genesis,
  type LedgerRecord,
  type Redactor,
  type UnsealedRecord,
} from '@promptledger/sdk'
import { ServerError } from '../errors.js'
import type { ServerMetrics } from '../metrics/registry.js'
import { canonicalLines, type Storage } from '../storage/storage.js'
import { serverRedact } from './server-redact.js'

/** Records sealed between two yields to the event loop (about a few ms of work). */
const YIELD_EVERY = 100

export interface IngestOptions {
  storage: Storage
  /** The collector's own stream; every ingested record is sealed into it. */
  stream: string
  /** The server's redaction policy; omitted means records are stored as the client redacted them. */
  redactor?: Redactor
  /** Encrypts content fields in place (auth's encryptor); runs after redaction and before sealing, so the chain hashes ciphertext. */
  encrypt?: (record: UnsealedRecord) => void
  /** Persists the data keys the batch created (one fsync per batch); runs before the batch is stored. */
  commitKeys?: () => void
  metrics?: ServerMetrics
}

export interface IngestResult {
  accepted: number
  duplicates: number
  /** seq range given to this batch in the collector's stream; null when nothing was new. */
  firstSeq: number | null
  lastSeq: number | null
}

/**
 * Redacts, seals and stores validated batches, one batch at a time: the collector has one chain, so
 * batches are sealed in arrival order and a failed batch leaves the chain head where it was.
 * Emits `records` with each stored batch (live tail).
 *
 * @example
 * const ingest = new IngestService({ storage, stream: 'collector-a' })
 * await ingest.ingest(validateBatch(decodeBatch(body, false)))
 */
export class IngestService extends EventEmitter<{ records: [LedgerRecord[]] }> {
  readonly #options: IngestOptions
  #chain: Chain | null = null
  #tail: Promise<unknown> = Promise.resolve()

  constructor(options: IngestOptions) {
    super()
    this.#options = options
  }

  get stream(): string {
    return this.#options.stream
  }

  ingest(batch: UnsealedRecord[]): Promise<IngestResult> {
    const run = this.#tail.then(() => this.#ingestSerial(batch))
    this.#tail = run.catch(() => undefined)
    return run
  }

  async #loadChain(): Promise<Chain> {
    if (!this.#chain) {
      const head = await this.#options.storage.head(this.#options.stream)
      this.#chain = new Chain(head ?? genesis(this.#options.stream))
    }
    return this.#chain
  }

  async #ingestSerial(batch: UnsealedRecord[]): Promise<IngestResult> {
    const { storage, redactor, encrypt, metrics } = this.#options
    const committed = await this.#loadChain()
    // Duplicates are dropped before sealing so a retried batch never consumes seq numbers.
    const stored = await storage.existingIds(batch.map((r) => r.id))
    const seen = new Set<string>()
    const fresh: UnsealedRecord[] = []
    for (const record of batch) {
      if (stored.has(record.id) || seen.has(record.id)) continue
      seen.add(record.id)
      fresh.push(record)
    }
    const duplicates = batch.length - fresh.length
    metrics?.duplicateRecords.inc(duplicates)
    if (fresh.length === 0) return { accepted: 0, duplicates, firstSeq: null, lastSeq: null }
    // Seal on a working copy: the committed head moves only once the store has the whole batch.
    const working = new Chain(committed.head)
    const sealed: LedgerRecord[] = new Array(fresh.length)
    for (let i = 0; i < fresh.length; i++) {
      // Yield to the event loop every YIELD_EVERY records: the other connections' request bodies (and the proxy,
      // which shares this loop) are read while a large batch is being sealed, instead of after it. Batches stay
      // in order: the next one waits on #tail.
      if (i > 0 && i % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve))
      const record = fresh[i]!
      try {
        // Records without signals (the proxy's, clients without the SDK) get them here, from the raw text.
        if (!record.signals && !record.enc) record.signals = computeSignals(record)
        if (redactor) serverRedact(redactor, record)
        encrypt?.(record)
        // The seal encodes the record canonically to hash it; the store reuses that line as the body.
        const { record: done, line } = working.sealEncoded(record)
        canonicalLines.set(done, line)
        sealed[i] = done
      } catch (cause) {
        metrics?.rejectedBatches.inc({ reason: 'unsealable' })
        const index = batch.indexOf(record)
        throw new ServerError('VALIDATION_FAILED', `record ${index}: cannot be sealed (too deeply nested?)`, {
          cause,
          path: `[${index}]`,
        })
      }
    }
    this.#options.commitKeys?.()
    const result = await storage.append(sealed)
    this.#chain = working
    metrics?.ingestedRecords.inc(result.inserted)
    this.emit('records', sealed)
    return {
      accepted: result.inserted,
      duplicates: duplicates + result.duplicates,
      firstSeq: sealed[0]!.seq,
      lastSeq: sealed[sealed.length - 1]!.seq,
    }
  }
}
