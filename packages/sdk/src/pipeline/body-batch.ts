import { randomBytes, randomInt } from 'node:crypto'
import { toRecord } from '../record/from-input.js'
import type { LogInput } from '../record/log-input.js'
import { canonicalBody } from '../seal/encode-record.js'
import { SEQ_PLACEHOLDER_DIGITS } from '../seal/line-buffer.js'
import { type NamedStage, runStages } from './stage.js'

/** What the build worker needs of one pending call (see `Pending`). */
export interface BatchItem {
  id: string
  input: LogInput
  loggedAt: number
}

/** Numbers per item in `BodyBatch.layout`: start, length, then the `id`, `prev_hash` and `seq` offsets. */
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

/**
 * Builds records (toRecord → stages) and encodes their canonical bodies, as the ledger's `#build` does,
 * minus the chain. The placeholders are random per encoder: the offsets are found by searching for them,
 * and a text written to collide with them cannot know them (a body holding one twice is sent back to be
 * built on the ledger's thread).
 */
export function createBodyEncoder(opts: BodyEncoderOptions): (items: readonly BatchItem[]) => BodyBatch {
  const prevHash = randomBytes(32).toString('hex')
  const seq = 10 ** (SEQ_PLACEHOLDER_DIGITS - 1) + randomInt(2 ** 48 - 1)
  const prevMember = `"prev_hash":"${prevHash}"`
  const seqMember = `"seq":${seq}`
  let bytes = new Uint8Array(new ArrayBuffer(256 * 1024))
  return (items) => {
    const layout = new Int32Array(items.length * LAYOUT_WIDTH)
    let length = 0
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!
      const o = i * LAYOUT_WIDTH
      layout[o + 1] = -1
      let body: string | undefined
      let idMarker = ''
      try {
        const ctx = { id: item.id, loggedAt: item.loggedAt, hmacKey: opts.hmacKey, redacted: opts.redacted }
        const record = runStages(opts.stages, toRecord(item.input, ctx)) as Record<string, unknown>
        record.stream = opts.stream
        record.seq = seq
        record.prev_hash = prevHash
        body = canonicalBody(record as never)
        idMarker = `,"id":${JSON.stringify(item.id)}`
      } catch {
        continue
      }
      if (body === undefined) continue
      const idAt = body.indexOf(idMarker)
      const prevAt = body.indexOf(prevMember)
      const seqAt = body.indexOf(seqMember)
      if (idAt <= 0 || prevAt < 0 || seqAt < 0) continue
      if (body.lastIndexOf(prevMember) !== prevAt || body.lastIndexOf(seqMember) !== seqAt) continue
      if (bytes.length < length + body.length * 3) {
        const grown = new Uint8Array(new ArrayBuffer(Math.max(bytes.length * 2, length + body.length * 3)))
        grown.set(bytes.subarray(0, length))
        bytes = grown
      }
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
      const n = buf.write(body, length, 'utf8')
      layout[o] = length
      layout[o + 1] = n
      if (n === body.length) {
        // ASCII (the common case): byte offsets are the character offsets.
        layout[o + 2] = idAt
        layout[o + 3] = prevAt + 13
        layout[o + 4] = seqAt + 6
      } else {
        layout[o + 2] = buf.indexOf(idMarker, length, 'utf8') - length
        layout[o + 3] = buf.indexOf(prevMember, length, 'utf8') - length + 13
        layout[o + 4] = buf.indexOf(seqMember, length, 'utf8') - length + 6
      }
      length += n
    }
    // The batch's bytes are transferred to the ledger's thread; the next batch starts a new buffer.
    const out = bytes.subarray(0, length)
    bytes = new Uint8Array(new ArrayBuffer(Math.max(256 * 1024, bytes.length)))
    return { bytes: out, layout }
  }
}
