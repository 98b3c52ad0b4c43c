import { type Cipher, createCipheriv, type KeyObject } from 'node:crypto'
import { pooledRandomBytes } from './random-pool.js'

/** AES's block size: each record starts at a fresh counter block. */
export const BLOCK_BYTES = 16
/**
 * Blocks one context may produce before it is replaced by one at a new random start (2^32 blocks =
 * 64 GiB). Far below any reuse: a 128-bit random start makes two contexts' ranges overlap with
 * probability about n² · 2^32 / 2^128 for n contexts under one key.
 */
const MAX_BLOCKS = 2 ** 32
/**
 * Keystream is generated ahead in chunks that double from MIN to MAX while a key keeps using up its
 * chunks. A cold key (a new context, or one whose chunk the budget dropped) gets a chunk just the size
 * of its record: most keys of a collector with many users encrypt one record between evictions.
 */
const MIN_CHUNK_BYTES = 2 * 1024
const MAX_CHUNK_BYTES = 32 * 1024
/** At most this many chunks are held at once, whatever the number of keys (≤ 8 MiB). */
const LIVE_CHUNKS = 256

export interface CtrKeystreamOptions {
  /** Blocks per context before a fresh random start (tests lower it). */
  maxBlocks?: number
  /** The initial counter block of each context; default 16 random bytes (tests pin it). */
  start?: () => Buffer
  /** Smallest and largest ahead-of-use keystream chunk (tests shrink them). */
  minChunkBytes?: number
  maxChunkBytes?: number
}

/**
 * AES-256-CTR from one long-lived cipher context per key. Creating a cipher context per record
 * (`createCipheriv`) cost ~9 µs, and even one `update` per record cost ~2–4 µs, mostly for the
 * native Buffer it returns; here the context produces keystream a chunk at a time and each record
 * is XORed with its slice in place.
 *
 * Each record begins at a fresh counter block, and that block is its IV: decrypting a record alone
 * is plain AES-256-CTR from that IV (NIST SP 800-38A; OpenSSL's full 128-bit big-endian increment,
 * mirrored by `addBlocks`). The counter only moves forward within a context: a chunk's unused rest
 * is skipped, never handed out twice; spent keystream is zeroed at once. A context is replaced
 * after `maxBlocks`, and a new process starts at a new random block.
 *
 * @example
 * const data = Buffer.alloc(16 + 1024)
 * const length = data.write(text, 16)
 * const stream = new CtrKeystream(aesKey)
 * stream.encrypt(new Int32Array(data.buffer, data.byteOffset, data.length >>> 2), 16, length)
 * // data[16, 16 + length) is now ciphertext, data[0, 16) its IV
 */
export class CtrKeystream {
  readonly #key: KeyObject
  readonly #maxBlocks: number
  readonly #start: () => Buffer
  readonly #maxChunk: number
  readonly #minChunk: number
  /** The next warm chunk's size. */
  #chunkBytes: number
  #cipher!: Cipher
  /** Blocks this context has produced. */
  #produced = 0
  /** The counter block of `#chunk[#offset]`: the IV of the next record (big-endian bytes). */
  #counter!: Buffer
  /** `#counter` as four words, copied into a record's IV slot with four stores. */
  #counterWords!: Int32Array
  #chunk: Buffer | null = null
  #chunkWords: Int32Array | null = null
  #offset = 0
  /** Bumped per chunk, so that the budget releases only the chunk it tracked. */
  #generation = 0

  constructor(key: KeyObject, options: CtrKeystreamOptions = {}) {
    this.#key = key
    this.#maxBlocks = options.maxBlocks ?? MAX_BLOCKS
    this.#start = options.start ?? (() => pooledRandomBytes(BLOCK_BYTES))
    this.#minChunk = options.minChunkBytes ?? MIN_CHUNK_BYTES
    this.#chunkBytes = this.#minChunk
    this.#maxChunk = options.maxChunkBytes ?? MAX_CHUNK_BYTES
    this.#restart()
  }

  /**
   * Encrypts bytes `[at, at + length)` of `words`' memory in place and writes their IV to `[at - 16, at)`.
   * `at` is a multiple of 4, at least 16; the memory must hold `length` rounded up to a whole block:
   * the padding bytes are XORed too (the next record starts at a fresh block) and are meaningless after.
   * Hot path: words, not bytes, and no native call unless a chunk runs out (each cost more than the
   * XOR of a whole record).
   */
  encrypt(words: Int32Array, at: number, length: number): void {
    const bytes = Math.ceil(length / BLOCK_BYTES) * BLOCK_BYTES
    if (this.#chunk === null || this.#offset + bytes > this.#chunk.length) this.#refill(bytes)
    const out = at >>> 2
    const counter = this.#counterWords
    words[out - 4] = counter[0]!
    words[out - 3] = counter[1]!
    words[out - 2] = counter[2]!
    words[out - 1] = counter[3]!
    const ks = this.#chunkWords!
    const from = this.#offset >>> 2
    const n = bytes >>> 2
    // Spent keystream is zeroed as it is used: none of it stays in memory to be handed out again.
    for (let i = 0; i < n; i++) {
      words[out + i]! ^= ks[from + i]!
      ks[from + i] = 0
    }
    this.#offset += bytes
    addBlocks(this.#counter, bytes / BLOCK_BYTES)
    // A chunk sized for one large record is not kept waiting for the next.
    if (this.#chunk!.length > this.#maxChunk) this.release(this.#generation)
  }

  /** Zeroes and drops the keystream made ahead; the context must not be used after. */
  dispose(): void {
    this.release(this.#generation)
  }

  /** Drops the current chunk if it is the one `generation` names (the budget calls this). */
  release(generation: number): void {
    if (generation !== this.#generation || this.#chunk === null) return
    addBlocks(this.#counter, (this.#chunk.length - this.#offset) / BLOCK_BYTES)
    // What was used is zero already (see `encrypt`).
    this.#chunk.fill(0, this.#offset)
    this.#chunk = null
    this.#chunkWords = null
  }

  #refill(needed: number): void {
    // Warm: the current chunk was used up. Cold: none is held, so this key's records are far apart
    // (or it is new); keystream made ahead for it would most likely be skipped unused, so make only
    // what this record needs (hot path: a 2 KiB chunk per new user showed in the collector's profile).
    const warm = this.#chunk !== null
    this.release(this.#generation)
    const bytes = warm ? Math.max(this.#chunkBytes, needed) : needed
    if (this.#produced + bytes / BLOCK_BYTES > this.#maxBlocks) this.#restart()
    let chunk = this.#cipher.update(zeros(bytes))
    // An Int32Array view needs 4-byte alignment; OpenSSL's output is a fresh allocation, but check.
    if (chunk.byteOffset % 4 !== 0) chunk = Buffer.from(chunk)
    this.#chunk = chunk
    this.#chunkWords = new Int32Array(chunk.buffer, chunk.byteOffset, chunk.length >>> 2)
    this.#offset = 0
    this.#produced += bytes / BLOCK_BYTES
    this.#chunkBytes = warm ? Math.min(this.#chunkBytes * 2, this.#maxChunk) : this.#minChunk
    track(this, ++this.#generation)
  }

  #restart(): void {
    const start = this.#start()
    if (start.length !== BLOCK_BYTES) throw new RangeError('CtrKeystream: a counter block is 16 bytes')
    this.#cipher = createCipheriv('aes-256-ctr', this.#key, start)
    // Its own memory (a pooled Buffer may sit at any offset): the word view needs 4-byte alignment.
    this.#counter = Buffer.alloc(BLOCK_BYTES)
    start.copy(this.#counter)
    this.#counterWords = new Int32Array(this.#counter.buffer, this.#counter.byteOffset, BLOCK_BYTES >>> 2)
    this.#produced = 0
  }
}

/** Adds `blocks` (< 2^32) to a 128-bit big-endian counter block, in place, modulo 2^128 (as OpenSSL does). */
export function addBlocks(counter: Buffer, blocks: number): void {
  let carry = blocks
  for (let i = BLOCK_BYTES - 1; i >= 0 && carry !== 0; i--) {
    const sum = counter[i]! + (carry & 0xff)
    counter[i] = sum & 0xff
    carry = (carry >>> 8) + (sum >>> 8)
  }
}

const zeroBuffer = Buffer.alloc(MAX_CHUNK_BYTES)

function zeros(bytes: number): Buffer {
  return bytes <= zeroBuffer.length ? zeroBuffer.subarray(0, bytes) : Buffer.alloc(bytes)
}

/**
 * The chunk budget: a ring of the last LIVE_CHUNKS chunks handed out; a chunk falling off the ring
 * is released. Weak references: the ring never keeps a key's context alive after the key store has
 * dropped the key (erasure).
 */
const ring: Array<{ stream: WeakRef<CtrKeystream>; generation: number } | undefined> = new Array(LIVE_CHUNKS)
let ringAt = 0

function track(stream: CtrKeystream, generation: number): void {
  const old = ring[ringAt]
  if (old) old.stream.deref()?.release(old.generation)
  ring[ringAt] = { stream: new WeakRef(stream), generation }
  ringAt = (ringAt + 1) % LIVE_CHUNKS
}
