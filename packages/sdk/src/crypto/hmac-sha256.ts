import crypto from 'node:crypto'

/** SHA-256's block size: HMAC's pads are one block long (RFC 2104). */
export const HMAC_PAD_BYTES = 64
export const HMAC_DIGEST_BYTES = 32

/**
 * One-shot SHA-256 as a `binary` (latin1) string: one char per byte. `crypto.hash` (Node ≥ 20.12) creates no
 * Hash object: a `createHmac` per record cost 3–4 µs, most of it building the context. A string
 * result, written into a buffer we own, also avoids a native Buffer per call, which cost more than
 * the hash itself. Older Node 20 releases fall back to `createHash`.
 */
const sha256: (data: Uint8Array) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'binary')
    : (data) => crypto.createHash('sha256').update(data).digest('binary')

/**
 * HMAC-SHA-256 (RFC 2104) computed from two one-shot hashes:
 * `H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ message))`. The key's pads are computed once; the caller lays the
 * message out after a pad slot, so no per-call concatenation is needed. Checked byte for byte
 * against `createHmac` in `hmac-sha256.test.ts`.
 *
 * @example
 * const mac = new HmacSha256(key)
 * const buf = Buffer.alloc(HMAC_PAD_BYTES + message.length)
 * message.copy(buf, HMAC_PAD_BYTES)
 * const tag = Buffer.alloc(HMAC_DIGEST_BYTES)
 * mac.digestInto(buf, buf.length, tag)
 */
export class HmacSha256 {
  readonly #ipad = Buffer.alloc(HMAC_PAD_BYTES, 0x36)
  /** `K ⊕ opad` followed by a slot for the inner digest: the outer hash's whole input. */
  readonly #outer = Buffer.alloc(HMAC_PAD_BYTES + HMAC_DIGEST_BYTES, 0x5c)

  /** `key` of at most 64 bytes (the derived MAC keys are 32). */
  constructor(key: Uint8Array) {
    if (key.length > HMAC_PAD_BYTES) throw new RangeError('HmacSha256: keys longer than 64 bytes are not supported')
    for (let i = 0; i < key.length; i++) {
      this.#ipad[i]! ^= key[i]!
      this.#outer[i]! ^= key[i]!
    }
  }

  /**
   * Writes the MAC of `buffer[64, end)` to `out[0, 32)`. Overwrites `buffer[0, 64)` with the inner
   * pad, so the caller must leave those bytes free.
   */
  digestInto(buffer: Buffer, end: number, out: Buffer): void {
    this.#ipad.copy(buffer, 0)
    this.#outer.write(sha256(buffer.subarray(0, end)), HMAC_PAD_BYTES, 'latin1')
    out.write(sha256(this.#outer), 0, HMAC_DIGEST_BYTES, 'latin1')
  }

  /** Zeroes the padded keys (each is as good as the key); the MAC must not be used after. */
  destroy(): void {
    this.#ipad.fill(0)
    this.#outer.fill(0)
  }
}
