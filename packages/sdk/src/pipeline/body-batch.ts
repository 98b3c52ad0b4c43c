import { type RecordContext, toRecord } from '../record/from-input.js'
import type { LogInput } from '../record/log-input.js'
import { type BodyParts, type BodyPlaces, bodyBound, bodyParts, writeBody } from '../seal/body-writer.js'
import { SEQ_PLACEHOLDER_DIGITS } from '../seal/line-buffer.js'
import { KEEPS_CANONICAL, type NamedStage, runStages } from './stage.js'

/** What the build worker needs of one pending call (see `Pending`). */
export interface BatchItem {
  id: string
  input: LogInput
  loggedAt: number
}

/**
 * Numbers per item in `BodyBatch.layout`: start, length, then the offsets of `hash` (where it goes, just
 * before `,"id"`), of the `prev_hash` value and of the `seq` value.
 */
export const LAYOUT_WIDTH = 5

/**
 * One batch of canonical record bodies, back to back, with placeholders where the chain's `seq` and
 * `prev_hash` go. `layout` holds {@link LAYOUT_WIDTH} numbers per item, in the items' order; a length of
 * -1 means the item must be built on the ledger's thread instead (it failed here, or took no fast path),
 * where it is built again and, if it fails, reported as before.
 */
export interface BodyBatch {
  bytes: Uint8Array
  layout: Int32Array
}

export interface BodyEncoderOptions {
  stream: string
  hmacKey: Buffer
  redacted: boolean
  stages: readonly NamedStage[]
}

/** The build worker's encoder of one ledger's batches. */
export interface BodyEncoder {
  encode(items: readonly BatchItem[]): BodyBatch
  /**
   * Takes back the buffer of a batch the ledger has sealed, for a later batch. Bytes written into fresh
   * memory cost a page fault every 4 KiB: a new buffer per batch (1 MiB for 512 bench records) cost
   * the worker ~2.5 µs a record (bench/file-ledger.bench.ts), a buffer used again costs nothing.
   */
  recycle(buffer: ArrayBuffer): void
}

/** Buffers kept for later batches: one is being filled while the ledger still seals the previous one. */
const SPARE_BUFFERS = 2
const MIN_BUFFER_BYTES = 256 * 1024

/**
 * Builds records (toRecord → stages) and encodes their canonical bodies, as the ledger's `#build` does,
 * minus the chain. The bodies are written in pieces (see `writeBody`), so the offsets of `hash`,
 * `prev_hash` and `seq` come from the bytes written, never from searching the text: a text holding
 * the placeholders cannot move them.
 */
export function createBodyEncoder(opts: BodyEncoderOptions): BodyEncoder {
  const prevHash = '0'.repeat(64)
  const seq = 10 ** (SEQ_PLACEHOLDER_DIGITS - 1)
  const places: BodyPlaces = { hashAt: 0, prevAt: 0, seqAt: 0 }
  // Whether a record canonical as built stays so through the stages (the built-in ones do).
  const stagesKeepCanonical = opts.stages.every((s) => s[KEEPS_CANONICAL] === true)
  const spare: ArrayBuffer[] = []
  /** The largest buffer a batch needed so far: new buffers start at that size. */
  let size = MIN_BUFFER_BYTES
  const take = (): Buffer => {
    const kept = spare.pop()
    return kept && kept.byteLength >= size ? Buffer.from(kept) : Buffer.alloc(size)
  }
  return {
    encode(items) {
      let bytes = take()
      const layout = new Int32Array(items.length * LAYOUT_WIDTH)
      let length = 0
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!
        const o = i * LAYOUT_WIDTH
        layout[o + 1] = -1
        let parts: BodyParts | undefined
        try {
          const ctx: RecordContext = {
            id: item.id,
            loggedAt: item.loggedAt,
            hmacKey: opts.hmacKey,
            redacted: opts.redacted,
            canonical: false,
          }
          const record = runStages(opts.stages, toRecord(item.input, ctx)) as Record<string, unknown>
          // Keys the record holds already (toRecord's placeholders): it stays canonical.
          record.stream = opts.stream
          record.seq = seq
          record.prev_hash = prevHash
          parts = bodyParts(record, stagesKeepCanonical && ctx.canonical === true)
        } catch {
          continue
        }
        if (parts === undefined) continue
        const bound = bodyBound(parts)
        if (bytes.length < length + bound) {
          size = Math.max(bytes.length * 2, length + bound)
          const grown = Buffer.alloc(size)
          bytes.copy(grown, 0, 0, length)
          bytes = grown
        }
        const n = writeBody(parts, bytes, length, places)
        layout[o] = length
        layout[o + 1] = n
        layout[o + 2] = places.hashAt
        layout[o + 3] = places.prevAt
        layout[o + 4] = places.seqAt
        length += n
      }
      // The whole buffer is transferred to the ledger's thread, which sends it back once sealed (`recycle`).
      return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, length), layout }
    },
    recycle(buffer) {
      if (spare.length < SPARE_BUFFERS && buffer.byteLength >= size) spare.push(buffer)
    },
  }
}
