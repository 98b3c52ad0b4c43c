import { EventEmitter } from 'node:events'
import { performance } from 'node:perf_hooks'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { computeSignals, type LedgerRecord, type Redactor, type UnsealedRecord } from '@promptledger/sdk'
import { ServerError } from '../errors.js'
import type { ServerMetrics } from '../metrics/registry.js'
import type { ChainWriter, WrittenBatch } from '../storage/chain-writer.js'
import { InlineChainWriter } from '../storage/inline-chain-writer.js'
import type { EncodedBatch } from '../storage/seal-splice.js'
import type { Storage } from '../storage/storage.js'
import { SealEncoder } from './seal-encoder.js'
import { serverRedact } from './server-redact.js'

/**
 * Longest stretch of preparation between two yields to the event loop, for a client's batch: the other connections'
 * request bodies (and the proxy, which shares this loop) are read while a large batch is prepared, not after it.
 */
const BATCH_SLICE_MS = 2
/**
 * The same for records the proxy captured (`serverRedacted`): they are prepared while its later calls are in flight,
 * each of which waits for the stretch under way. About 40 µs a record: an 8-record slice in one stretch held the
 * serving thread 0.4–0.9 ms (bench/proxy.bench.ts --stalls).
 */
const PROXIED_SLICE_MS = 0.1
/** Default bound on records accepted and not yet stored (see `IngestOptions.maxPendingRecords`). */
const MAX_PENDING_RECORDS = 20_000

export interface IngestOptions {
  storage: Storage
  /** The collector's own stream; every ingested record is sealed into it. */
  stream: string
  /** The server's redaction policy; omitted means records are stored as the client redacted them. */
  redactor?: Redactor
  /** Encrypts content fields in place (auth's encryptor); runs after redaction and before sealing, so the chain hashes ciphertext. */
  encrypt?: (record: UnsealedRecord) => void
  /**
   * Persists the data keys the batch created; runs before the batch is stored, which waits for it. Asynchronous
   * (`Encryptor#commitKeysAsync`): a batch with a new user then costs the serving thread no wait for the disk.
   */
  commitKeys?: () => void | Promise<void>
  metrics?: ServerMetrics
  /** Seals and stores batches; default: the store's own (`Storage.chainWriter`), else sealing on this thread. */
  writer?: ChainWriter
  /**
   * Records accepted and not stored yet above which `admit` turns batches away (the store is behind): memory
   * stays bounded and clients retry later. Default 20,000.
   */
  maxPendingRecords?: number
}

/** How a batch reaches ingest. */
export interface IngestCallOptions {
  /**
   * The batch was already redacted with this server's own policy (the proxy's record worker does it off the serving
   * thread), so the server's pass is skipped: it would find nothing left. Set only by code inside the collector, never
   * from anything a client sends.
   */
  serverRedacted?: boolean
  /**
   * No client waits for this call to answer it (the proxy's records, stored after their calls ended): the store may
   * hold the batch briefly to commit it together with the next ones (`WriteOptions.defer`).
   */
  defer?: boolean
}

export interface IngestResult {
  accepted: number
  duplicates: number
  /** seq range given to this batch in the collector's stream; null when nothing was new. */
  firstSeq: number | null
  lastSeq: number | null
}

/** A batch turned away because too many records wait to be stored; the client should retry after `retryAfter` s. */
export class IngestBusyError extends ServerError {
  readonly retryAfter = 1
  constructor(pending: number) {
    super('STORAGE_ERROR', `ingest is behind (${pending} records waiting to be stored); retry shortly`)
  }
}

/**
 * Prepares (signals, redaction, encryption, canonical encoding) and then seals and stores validated batches.
 * Preparation runs on this thread as batches arrive; sealing and storing go to the chain writer in arrival
 * order (with a file store, on its writer thread, while this thread prepares the next batches). The collector has
 * one chain: a failed batch leaves its head where it was. Emits `records` with each stored batch (live tail).
 *
 * @example
 * const ingest = new IngestService({ storage, stream: 'collector-a' })
 * await ingest.ingest(validateBatch(decodeBatch(body, false)))
 */
export class IngestService extends EventEmitter<{ records: [LedgerRecord[]] }> {
  readonly #options: IngestOptions
  readonly #writer: ChainWriter
  readonly #encoder: SealEncoder
  readonly #maxPending: number
  /** Settles once the last batch is prepared (or failed): the next one is prepared after it. */
  #prepared: Promise<unknown> = Promise.resolve()
  /** Settles once the last batch is handed to the writer (or failed before): the next one is handed over after it. */
  #handedOver: Promise<unknown> = Promise.resolve()
  #pending = 0

  constructor(options: IngestOptions) {
    super()
    this.#options = options
    this.#writer =
      options.writer ??
      options.storage.chainWriter?.(options.stream) ??
      new InlineChainWriter(options.storage, options.stream)
    this.#encoder = new SealEncoder(options.stream)
    this.#maxPending = options.maxPendingRecords ?? MAX_PENDING_RECORDS
  }

  get stream(): string {
    return this.#options.stream
  }

  /** Records accepted and not yet stored. */
  get pendingRecords(): number {
    return this.#pending
  }

  /** Throws `IngestBusyError` when a batch of `size` records should wait (one batch is always taken when idle). */
  admit(size: number): void {
    if (this.#pending > 0 && this.#pending + size > this.#maxPending) {
      this.#options.metrics?.rejectedBatches.inc({ reason: 'BUSY' })
      throw new IngestBusyError(this.#pending)
    }
  }

  ingest(batch: UnsealedRecord[], call: IngestCallOptions = {}): Promise<IngestResult> {
    this.#pending += batch.length
    // Prepared one batch after the other, not interleaved: the first batch then reaches the writer as soon as
    // it can, and the writer stores it while this thread prepares the next (interleaved, every batch in flight
    // was ready at about the same time, and the writer idled until then).
    const prepared = this.#prepared.then(() => this.#prepare(batch, call.serverRedacted === true))
    this.#prepared = prepared.catch(() => undefined)
    // Handed to the writer in arrival order, each once it is prepared and the one before it was handed over.
    // (Wrapped, so that the write itself is not waited for here.)
    const handedOver = Promise.all([prepared, this.#handedOver]).then(async ([encoded]) => {
      await this.#options.commitKeys?.()
      return { written: this.#writer.write(batch, encoded, { defer: call.defer === true }) }
    })
    this.#handedOver = handedOver.catch(() => undefined)
    return handedOver
      .then(({ written }) => written)
      .finally(() => {
        this.#pending -= batch.length
      })
      .then((written) => this.#finish(written))
  }

  async #prepare(batch: UnsealedRecord[], serverRedacted: boolean): Promise<EncodedBatch> {
    const { encrypt, metrics } = this.#options
    const redactor = serverRedacted ? undefined : this.#options.redactor
    const encoded = this.#encoder.batch(batch.length)
    const sliceMs = serverRedacted ? PROXIED_SLICE_MS : BATCH_SLICE_MS
    let sliceStart = performance.now()
    for (let i = 0; i < batch.length; i++) {
      if (i > 0 && performance.now() - sliceStart >= sliceMs) {
        await yieldToLoop()
        sliceStart = performance.now()
      }
      const record = batch[i]!
      try {
        // Records without signals (the proxy's, clients without the SDK) get them here, from the raw text.
        if (!record.signals && !record.enc) record.signals = computeSignals(record)
        if (redactor) serverRedact(redactor, record)
        encrypt?.(record)
        this.#encoder.encode(record, encoded, i)
      } catch (cause) {
        metrics?.rejectedBatches.inc({ reason: 'unsealable' })
        throw new ServerError('VALIDATION_FAILED', `record ${i}: cannot be sealed (too deeply nested?)`, {
          cause,
          path: `[${i}]`,
        })
      }
    }
    return encoded
  }

  #finish({ sealed, inserted, duplicates }: WrittenBatch): IngestResult {
    const { metrics } = this.#options
    metrics?.duplicateRecords.inc(duplicates)
    metrics?.ingestedRecords.inc(inserted)
    if (sealed.length > 0) this.emit('records', sealed)
    return {
      accepted: inserted,
      duplicates,
      firstSeq: sealed[0]?.seq ?? null,
      lastSeq: sealed[sealed.length - 1]?.seq ?? null,
    }
  }
}
