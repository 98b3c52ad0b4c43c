import type { LedgerRecord, UnsealedRecord } from '../record/schema.js'
import { type EncodedParts, encodeRecord, encodeRecordParts, partsLine } from './encode-record.js'
import type { LineBuffer } from './line-buffer.js'

/** `prev_hash` of the first record of every stream. */
export const GENESIS_HASH = '0'.repeat(64)

export interface ChainHead {
  stream: string
  /** seq of the last sealed record; -1 for an empty stream. */
  seq: number
  hash: string
}

/**
 * SHA-256 over the RFC 8785 canonical JSON of the record without its `hash` field. Encrypted content
 * is hashed as ciphertext (it lives in `enc.ct`), so erasing a subject's key never breaks the chain.
 */
export function recordHash(record: Omit<LedgerRecord, 'hash'> & { hash?: string }): string {
  return encodeRecord(record).hash
}

/**
 * One stream's hash chain: assigns `seq`, links `prev_hash` to the previous record's `hash`.
 *
 * @example
 * const chain = new Chain({ stream: 'app-1', seq: -1, hash: GENESIS_HASH })
 * const sealed = chain.seal(unsealed) // sealed.seq === 0
 */
export class Chain {
  #stream: string
  #seq: number
  #hash: string

  constructor(head: ChainHead) {
    this.#stream = head.stream
    this.#seq = head.seq
    this.#hash = head.hash
  }

  get head(): ChainHead {
    return { stream: this.#stream, seq: this.#seq, hash: this.#hash }
  }

  seal(record: UnsealedRecord): LedgerRecord {
    return this.sealEncoded(record).record
  }

  /**
   * Seals in place and also returns the record's canonical NDJSON line, so a file writer does not
   * serialize the record a second time.
   */
  sealEncoded(record: UnsealedRecord): { record: LedgerRecord; line: string } {
    const { record: sealed, parts } = this.sealParts(record)
    return { record: sealed, line: partsLine(parts) }
  }

  /** `sealEncoded` with the line left in pieces, for writers that copy it into a buffer (see `EncodedParts`). */
  sealParts(record: UnsealedRecord): { record: LedgerRecord; parts: EncodedParts } {
    const sealed = record as LedgerRecord
    sealed.stream = this.#stream
    sealed.seq = this.#seq + 1
    sealed.prev_hash = this.#hash
    const parts = encodeRecordParts(sealed)
    sealed.hash = parts.hash
    this.#seq = sealed.seq
    this.#hash = sealed.hash
    return { record: sealed, parts }
  }

  /**
   * Seals in place and appends the record's canonical line to `lines`, the file ledger's write path:
   * the line exists only as bytes in that buffer (see `LineBuffer`).
   */
  /**
   * Links a body encoded with placeholders (see `LineBuffer.appendBody`) as the next record of the chain;
   * the body must carry this chain's `stream`. Returns the record's hash.
   */
  sealBodyInto(
    src: Uint8Array,
    at: number,
    len: number,
    offsets: { idAt: number; prevAt: number; seqAt: number },
    lines: LineBuffer,
  ): string {
    const seq = this.#seq + 1
    const h = lines.appendBody(src, at, len, offsets, seq, this.#hash)
    this.#seq = seq
    this.#hash = h
    return h
  }

  sealInto(record: UnsealedRecord, lines: LineBuffer, canonical = false): LedgerRecord {
    const sealed = record as LedgerRecord
    sealed.stream = this.#stream
    sealed.seq = this.#seq + 1
    sealed.prev_hash = this.#hash
    sealed.hash = lines.appendRecord(sealed, canonical)
    this.#seq = sealed.seq
    this.#hash = sealed.hash
    return sealed
  }
}

/** A new stream's head. */
export function genesis(stream: string): ChainHead {
  return { stream, seq: -1, hash: GENESIS_HASH }
}
