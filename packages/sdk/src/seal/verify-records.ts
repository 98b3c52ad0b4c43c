import type { LedgerRecord } from '../record/schema.js'
import { GENESIS_HASH, recordHash } from './chain.js'

export type ChainProblemCode = 'HASH_MISMATCH' | 'PREV_HASH_MISMATCH' | 'SEQ_GAP' | 'WRONG_STREAM'

/** One break found in a stream: which record and what is wrong with it. */
export interface ChainProblem {
  code: ChainProblemCode
  seq: number
  id: string
  message: string
}

export interface ChainVerification {
  stream: string
  ok: boolean
  /** Records checked. */
  count: number
  /** The last record's seq and hash (seq -1 and the genesis hash for an empty stream). */
  headSeq: number
  headHash: string
  problems: ChainProblem[]
}

/**
 * Checks one stream's records in seq order, one at a time, so any reader (file ledger, collector store)
 * can verify without holding the stream in memory. Keeps at most `maxProblems` problems.
 *
 * @example
 * const v = new ChainVerifier('collector-a')
 * for await (const r of storage.scanStream('collector-a')) v.check(r)
 * v.result().ok // true when every hash and link holds
 */
export class ChainVerifier {
  readonly #stream: string
  readonly #maxProblems: number
  #seq = -1
  #hash = GENESIS_HASH
  #count = 0
  #problemCount = 0
  readonly #problems: ChainProblem[] = []

  /**
   * `start`: the last record before the first one checked, when older records were removed by
   * retention (their archive manifest holds them); default: the genesis of the stream.
   */
  constructor(stream: string, options: { maxProblems?: number; start?: { seq: number; hash: string } } = {}) {
    this.#stream = stream
    this.#maxProblems = options.maxProblems ?? 100
    if (options.start) {
      this.#seq = options.start.seq
      this.#hash = options.start.hash
    }
  }

  check(record: LedgerRecord): void {
    this.#count++
    if (record.stream !== this.#stream) this.#problem('WRONG_STREAM', record, `record belongs to ${record.stream}`)
    if (record.seq !== this.#seq + 1) this.#problem('SEQ_GAP', record, `expected seq ${this.#seq + 1}`)
    else if (record.prev_hash !== this.#hash) this.#problem('PREV_HASH_MISMATCH', record, 'prev_hash does not link')
    if (recordHash(record) !== record.hash) this.#problem('HASH_MISMATCH', record, 'content does not match its hash')
    this.#seq = record.seq
    this.#hash = record.hash
  }

  #problem(code: ChainProblemCode, record: LedgerRecord, message: string): void {
    this.#problemCount++
    if (this.#problems.length < this.#maxProblems) {
      this.#problems.push({ code, seq: record.seq, id: record.id, message })
    }
  }

  result(): ChainVerification {
    return {
      stream: this.#stream,
      ok: this.#problemCount === 0,
      count: this.#count,
      headSeq: this.#seq,
      headHash: this.#hash,
      problems: [...this.#problems],
    }
  }
}
