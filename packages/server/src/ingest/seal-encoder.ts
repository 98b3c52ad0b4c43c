import { randomBytes, randomInt } from 'node:crypto'
import { encodeRecord, isCanonicalAsIs, type UnsealedRecord } from '@promptledger/sdk'
import { type EncodedBatch, LAYOUT_WIDTH, SEQ_DIGITS } from '../storage/seal-splice.js'

/** Placeholder draws before a record is declared unencodable (a collision twice in a row is chance only). */
const ATTEMPTS = 3
/** `,"hash":"` + 64 hex digits + `"`. */
const HASH_MEMBER = 74

type Chained = UnsealedRecord & { stream?: string; seq?: number; prev_hash?: string }

/** The canonical JSON of a record without `hash`. */
function canonicalBody(record: Chained): string {
  // Records as record-check builds them (keys in order, the chain fields in their slots): one native stringify,
  // no SHA-256 spent on a body that still holds placeholders.
  if (isCanonicalAsIs(record)) return JSON.stringify(record)
  // Anything else (a client's unsorted objects under `z.unknown()` members): the SDK's encoder, minus its hash.
  const { line } = encodeRecord(record as never)
  const at = line.indexOf(',"hash":"')
  return line.slice(0, at) + line.slice(at + HASH_MEMBER)
}

/**
 * Encodes unsealed records for `spliceSeal`, with the collector's `stream` and placeholders for `prev_hash`
 * and `seq` (left on the records until the seal sets the real values). The placeholders are random per
 * encoder, so a record cannot be written to contain them; a body that holds one elsewhere (chance only) is
 * encoded again with fresh ones.
 *
 * @example
 * const encoder = new SealEncoder('collector-a')
 * const batch = encoder.batch(records.length)
 * for (let i = 0; i < records.length; i++) encoder.encode(records[i], batch, i)
 */
export class SealEncoder {
  readonly #stream: string
  #prev = ''
  #seq = 0

  constructor(stream: string) {
    this.#stream = stream
    this.#draw()
  }

  #draw(): void {
    this.#prev = randomBytes(32).toString('hex')
    this.#seq = 10 ** (SEQ_DIGITS - 1) + randomInt(2 ** 48 - 1)
  }

  batch(size: number): EncodedBatch {
    // Packed, not `new Array(size)`: a holey array crosses to the writer thread as a sparse one (each body sent with
    // its index as a key), which cost about as much as the bodies themselves.
    const bodies: string[] = []
    for (let i = 0; i < size; i++) bodies.push('')
    return { bodies, layout: new Int32Array(size * LAYOUT_WIDTH) }
  }

  /** Encodes `record` as body `i` of `batch`; throws what the canonical encoder throws (e.g. a NaN). */
  encode(record: UnsealedRecord, batch: EncodedBatch, i: number): void {
    const r = record as Chained
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const prev = this.#prev
      const seq = String(this.#seq)
      r.stream = this.#stream
      r.seq = this.#seq
      r.prev_hash = prev
      const body = canonicalBody(r)
      // `hash` goes right before `,"id":`: the members sorting before it (app … error) hold no `id` key, and
      // strings escape quotes. Each placeholder must occur once, as the member it stands for.
      const idAt = body.indexOf(`,"id":${JSON.stringify(r.id)}`)
      const prevAt = body.indexOf(prev)
      const seqAt = body.indexOf(seq)
      if (
        idAt > 0 &&
        prevAt > idAt &&
        seqAt > prevAt &&
        body.startsWith('"prev_hash":"', prevAt - 13) &&
        body.startsWith('"seq":', seqAt - 6) &&
        body.indexOf(prev, prevAt + 1) < 0 &&
        body.indexOf(seq, seqAt + 1) < 0
      ) {
        batch.bodies[i] = body
        batch.layout[i * LAYOUT_WIDTH] = idAt
        batch.layout[i * LAYOUT_WIDTH + 1] = prevAt
        batch.layout[i * LAYOUT_WIDTH + 2] = seqAt
        return
      }
      this.#draw()
    }
    throw new Error('the record holds the seal placeholders')
  }
}
