import { performance } from 'node:perf_hooks'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { PromptLedgerError } from '../errors.js'
import { type RecordContext, toRecord } from '../record/from-input.js'
import type { LedgerRecord, UnsealedRecord } from '../record/schema.js'
import type { Chain } from '../seal/chain.js'
import { LineBuffer } from '../seal/line-buffer.js'
import { type BodyBatch, LAYOUT_WIDTH } from './body-batch.js'
import type { Pending } from './pending-queue.js'
import { KEEPS_CANONICAL, type NamedStage, runStages } from './stage.js'

/** One batch after the seal stage: its NDJSON lines, and the records when an exporter besides the file needs them. */
export interface SealedBatch {
  count: number
  lines: LineBuffer
  records: LedgerRecord[] | null
}

/** A batch built on the ledger's thread: its records (null where one failed) and which are canonical as built. */
export interface PreparedBatch {
  records: Array<UnsealedRecord | null>
  /**
   * 1 where the record is canonical as built (`RecordContext.canonical`) and went only through stages that keep
   * it so (`KEEPS_CANONICAL`): the seal stringifies it without the key-order walk, as the build worker does
   * (about 1.5 µs a record of the ledger's thread on the bench records).
   */
  canonical: Uint8Array
}

/** A batch being prepared: its records so far, the stages it runs and whether they all keep records canonical. */
interface BatchInProgress {
  prepared: PreparedBatch
  stages: readonly NamedStage[]
  keepCanonical: boolean
}

export interface BatchBuilderOptions {
  /** The ledger's stages, read at each record (stages inserted later apply to later batches). */
  stages: readonly NamedStage[]
  hmacKey: Buffer
  redacted: boolean
  /** Keep the sealed records for exporters besides the file ledger. */
  keepRecords: boolean
  /** A record that could not be built or sealed: it is skipped. */
  onInvalid: (err: PromptLedgerError) => void
}

/**
 * Builds and seals the ledger's batches on its own thread: toRecord → stages → chain, and links the
 * bodies the build worker made. Sealing happens in batch order; `chain` is replaced by the ledger when
 * a batch does not reach disk.
 */
export class BatchBuilder {
  chain: Chain
  /**
   * Two line buffers, used in turn: a batch is sealed into one while the previous batch is written from
   * the other (the ledger's drain loop keeps at most those two batches in flight).
   */
  #lineBuffers: [LineBuffer, LineBuffer] = [new LineBuffer(), new LineBuffer()]
  #nextBuffer = 0
  #opts: BatchBuilderOptions

  constructor(chain: Chain, opts: BatchBuilderOptions) {
    this.chain = chain
    this.#opts = opts
  }

  /** toRecord → stages (signals, redact, encrypt) over one batch; a record that fails is reported and skipped. */
  prepare(items: Pending[]): PreparedBatch {
    const batch = this.#startBatch(items.length)
    for (let i = 0; i < items.length; i++) this.#prepareInto(batch, i, items[i]!)
    return batch.prepared
  }

  /**
   * `prepare` that gives the event loop back whenever it has held it for `sliceMs`: building a batch costs
   * 20–30 µs a record with redaction on, so a 512-record batch built in one stretch stalled every timer and
   * request of the application for 10–15 ms. Slices keep the caller's thread responsive; the yields cost a
   * few microseconds each.
   */
  async prepareSliced(items: Pending[], sliceMs: number): Promise<PreparedBatch> {
    const batch = this.#startBatch(items.length)
    let sliceStart = performance.now()
    for (let i = 0; i < items.length; i++) {
      this.#prepareInto(batch, i, items[i]!)
      // The clock is read every 8 records (about 0.2 ms of work): reading it costs more than a record's test.
      if ((i & 7) === 7 && i + 1 < items.length && performance.now() - sliceStart >= sliceMs) {
        await yieldToLoop()
        sliceStart = performance.now()
      }
    }
    return batch.prepared
  }

  /**
   * A batch's stages are the ledger's as the batch starts (a stage inserted while a sliced batch yields applies
   * from the next batch on), and whether all of them keep a canonical record canonical.
   */
  #startBatch(n: number): BatchInProgress {
    const stages = this.#opts.stages.slice()
    return {
      prepared: { records: new Array(n), canonical: new Uint8Array(n) },
      stages,
      keepCanonical: stages.every((s) => s[KEEPS_CANONICAL] === true),
    }
  }

  #prepareInto(batch: BatchInProgress, i: number, item: Pending): void {
    const ctx = this.#context(item)
    const record = this.#build(item, ctx, batch.stages)
    batch.prepared.records[i] = record
    if (record !== null && batch.keepCanonical && ctx.canonical === true) batch.prepared.canonical[i] = 1
  }

  prepareOne(item: Pending): UnsealedRecord | null {
    return this.#build(item, this.#context(item), this.#opts.stages)
  }

  #context(item: Pending): RecordContext {
    return {
      id: item.id,
      loggedAt: item.loggedAt,
      hmacKey: this.#opts.hmacKey,
      redacted: this.#opts.redacted,
      canonical: false,
    }
  }

  #build(item: Pending, ctx: RecordContext, stages: readonly NamedStage[]): UnsealedRecord | null {
    try {
      return runStages(stages, toRecord(item.input, ctx))
    } catch (err) {
      this.#report(item.id, err)
      return null
    }
  }

  #nextLines(): LineBuffer {
    // The lines go straight into a buffer the file ledger writes as it is (see #lineBuffers).
    const lines = this.#lineBuffers[this.#nextBuffer]!
    this.#nextBuffer ^= 1
    lines.reset()
    return lines
  }

  /** Seals prepared records into the chain; the records are dropped once sealed unless another exporter takes them. */
  seal(prepared: PreparedBatch): SealedBatch {
    const lines = this.#nextLines()
    const records: LedgerRecord[] | null = this.#opts.keepRecords ? [] : null
    const { records: built, canonical } = prepared
    for (let i = 0; i < built.length; i++) {
      const record = built[i]
      if (record) this.#sealOne(record, lines, records, this.chain, canonical[i] === 1)
    }
    return { count: lines.count, lines, records }
  }

  /**
   * `seal` in slices, as `prepareSliced` builds (about 4 µs a record: its canonical line and hash). The
   * whole batch is sealed on the chain it started on, even if the ledger replaces `chain` meanwhile.
   */
  async sealSliced(prepared: PreparedBatch, sliceMs: number): Promise<SealedBatch> {
    const chain = this.chain
    const lines = this.#nextLines()
    const records: LedgerRecord[] | null = this.#opts.keepRecords ? [] : null
    const { records: built, canonical } = prepared
    let sliceStart = performance.now()
    for (let i = 0; i < built.length; i++) {
      const record = built[i]
      if (record) this.#sealOne(record, lines, records, chain, canonical[i] === 1)
      if ((i & 31) === 31 && i + 1 < built.length && performance.now() - sliceStart >= sliceMs) {
        await yieldToLoop()
        sliceStart = performance.now()
      }
    }
    return { count: lines.count, lines, records }
  }

  #sealOne(
    record: UnsealedRecord,
    lines: LineBuffer,
    records: LedgerRecord[] | null,
    chain = this.chain,
    canonical = false,
  ): void {
    try {
      const sealed = chain.sealInto(record, lines, canonical)
      records?.push(sealed)
    } catch (err) {
      this.#report(record.id, err)
    }
  }

  /**
   * Links a batch the worker built into the chain, in the items' order. Items it sent back unbuilt, and
   * the whole batch when the worker was lost, are built here (nothing acknowledged is lost with it).
   */
  sealBodies(items: Pending[], bodies: BodyBatch | null): SealedBatch {
    if (bodies === null) return this.seal(this.prepare(items))
    const lines = this.#nextLines()
    const { bytes, layout } = bodies
    for (let i = 0; i < items.length; i++) {
      const o = i * LAYOUT_WIDTH
      const len = layout[o + 1]!
      if (len < 0) {
        const record = this.prepareOne(items[i]!)
        if (record) this.#sealOne(record, lines, null)
        continue
      }
      const offsets = { idAt: layout[o + 2]!, prevAt: layout[o + 3]!, seqAt: layout[o + 4]! }
      this.chain.sealBodyInto(bytes, layout[o]!, len, offsets, lines)
    }
    return { count: lines.count, lines, records: null }
  }

  #report(id: string, err: unknown): void {
    this.#opts.onInvalid(
      err instanceof PromptLedgerError
        ? err
        : new PromptLedgerError('INVALID_INPUT', `log(): record ${id} could not be built: ${(err as Error)?.message}`, {
            cause: err,
          }),
    )
  }
}
