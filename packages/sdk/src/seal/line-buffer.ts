import { hash } from 'node:crypto'
import type { LedgerRecord } from '../record/schema.js'
import { canonicalBody, encodeRecordParts, partsLine } from './encode-record.js'

/** `,"hash":"` + 64 hex digits + `"`: the member spliced into every line. */
const HASH_MEMBER_BYTES = 74
const HASH_KEY = Buffer.from(',"hash":"', 'latin1')
const INITIAL_BYTES = 64 * 1024
/** Width of the `seq` placeholder in bodies encoded for `appendBody`. */
export const SEQ_PLACEHOLDER_DIGITS = 16
/** A buffer grown past this by one large batch is not kept for the next batches. */
const MAX_KEPT_BYTES = 32 * 1024 * 1024

/**
 * NDJSON lines of consecutive sealed records, written back to back into one buffer as they are sealed.
 * Hot path of the file ledger: a record's canonical body is written into the buffer once and hashed from
 * those bytes, and `hash` is spliced in by moving the few bytes before `"id"`. No line string, no
 * per-record Buffer and no per-record parts object outlives the record's seal, so sealed batches leave
 * almost nothing for the young-generation GC to copy (it was 10-15% of the end-to-end profile when each
 * batch kept its lines as strings until written; see bench/file-ledger.bench.ts).
 *
 * @example
 * const lines = new LineBuffer()
 * chain.sealInto(record, lines) // lines.bytes.subarray(0, lines.length) is the NDJSON
 */
export class LineBuffer {
  bytes: Buffer
  length = 0
  /** `ends[i]`: offset just past the newline of the i-th line. */
  readonly ends: number[] = []
  /** `hashes[i]`: hash of the i-th record. */
  readonly hashes: string[] = []
  /** seq and prev_hash of the first record; its successors follow it one by one. */
  firstSeq = -1
  prevHash = ''

  constructor(initialBytes = INITIAL_BYTES) {
    this.bytes = Buffer.allocUnsafe(initialBytes)
  }

  get count(): number {
    return this.ends.length
  }

  /** Empties the buffer for the next batch, keeping its memory unless one batch made it huge. */
  reset(): void {
    this.length = 0
    this.ends.length = 0
    this.hashes.length = 0
    this.firstSeq = -1
    this.prevHash = ''
    if (this.bytes.length > MAX_KEPT_BYTES) this.bytes = Buffer.allocUnsafe(INITIAL_BYTES)
  }

  /**
   * Appends the canonical line of a record whose `seq`, `prev_hash` and `stream` are set and which has no
   * `hash` yet; returns the hash (SHA-256 of the canonical JSON without `hash`, as `recordHash`).
   * `canonical`: the record is known to be canonical as built (see `canonicalBody`).
   */
  appendRecord(record: Omit<LedgerRecord, 'hash'>, canonical = false): string {
    const body = canonicalBody(record, canonical)
    // `hash` sorts right before `id`; see encodeRecordParts for why `,"id":"<id>"` marks its place.
    const marker = body === undefined ? '' : `,"id":${JSON.stringify(record.id)}`
    const at = body === undefined ? -1 : body.indexOf(marker)
    if (body === undefined || at <= 0) {
      const parts = encodeRecordParts(record)
      this.appendLine(partsLine(parts), record.seq, record.prev_hash, parts.hash)
      return parts.hash
    }
    const start = this.length
    const bodyAt = start + HASH_MEMBER_BYTES
    this.#reserve(bodyAt + body.length * 3 + 1)
    const buf = this.bytes
    const n = buf.write(body, bodyAt, 'utf8')
    const h = hash('sha256', buf.subarray(bodyAt, bodyAt + n), 'hex')
    // ASCII bodies (the common case) have byte offsets equal to character offsets.
    const atByte = n === body.length ? at : buf.indexOf(marker, bodyAt, 'utf8') - bodyAt
    buf.copyWithin(start, bodyAt, bodyAt + atByte)
    HASH_KEY.copy(buf, start + atByte)
    buf.write(h, start + atByte + HASH_KEY.length, 'latin1')
    buf[start + atByte + HASH_MEMBER_BYTES - 1] = 0x22
    buf[bodyAt + n] = 0x0a
    this.#push(bodyAt + n + 1, record.seq, record.prev_hash, h)
    return h
  }

  /**
   * Appends a canonical body encoded elsewhere (the build worker) with placeholders for `seq`
   * ({@link SEQ_PLACEHOLDER_DIGITS} digits at `seqAt`) and `prev_hash` (64 hex digits at `prevAt`): the
   * chain's values are patched in, the bytes hashed and `hash` spliced in before `,"id":` at `idAt`, as
   * `appendRecord` does. Offsets are byte offsets relative to `at`; returns the hash.
   */
  appendBody(
    src: Uint8Array,
    at: number,
    len: number,
    offsets: { idAt: number; prevAt: number; seqAt: number },
    seq: number,
    prevHash: string,
  ): string {
    const { idAt, prevAt, seqAt } = offsets
    const digits = String(seq)
    const n = len - SEQ_PLACEHOLDER_DIGITS + digits.length
    const start = this.length
    const bodyAt = start + HASH_MEMBER_BYTES
    this.#reserve(bodyAt + n + 1)
    const buf = this.bytes
    buf.set(src.subarray(at, at + seqAt), bodyAt)
    buf.write(digits, bodyAt + seqAt, 'latin1')
    buf.set(src.subarray(at + seqAt + SEQ_PLACEHOLDER_DIGITS, at + len), bodyAt + seqAt + digits.length)
    // `prev_hash` sorts before `seq`, so its offset is the same in the patched body.
    buf.write(prevHash, bodyAt + prevAt, 'latin1')
    const h = hash('sha256', buf.subarray(bodyAt, bodyAt + n), 'hex')
    buf.copyWithin(start, bodyAt, bodyAt + idAt)
    HASH_KEY.copy(buf, start + idAt)
    buf.write(h, start + idAt + HASH_KEY.length, 'latin1')
    buf[start + idAt + HASH_MEMBER_BYTES - 1] = 0x22
    buf[bodyAt + n] = 0x0a
    this.#push(bodyAt + n + 1, seq, prevHash, h)
    return h
  }

  /** Appends a line already encoded (canonical, with its `hash`), e.g. from `encodeRecord`. */
  appendLine(line: string, seq: number, prevHash: string, recordHash: string): void {
    this.#reserve(this.length + line.length * 3 + 1)
    const o = this.length + this.bytes.write(line, this.length, 'utf8')
    this.bytes[o] = 0x0a
    this.#push(o + 1, seq, prevHash, recordHash)
  }

  #push(end: number, seq: number, prevHash: string, recordHash: string): void {
    if (this.ends.length === 0) {
      this.firstSeq = seq
      this.prevHash = prevHash
    }
    this.length = end
    this.ends.push(end)
    this.hashes.push(recordHash)
  }

  #reserve(bytes: number): void {
    if (bytes <= this.bytes.length) return
    const grown = Buffer.allocUnsafe(Math.max(bytes, this.bytes.length * 2))
    this.bytes.copy(grown, 0, 0, this.length)
    this.bytes = grown
  }
}
