import { createDecipheriv, createSecretKey, hkdfSync, type KeyObject, timingSafeEqual } from 'node:crypto'
import { BLOCK_BYTES, CtrKeystream, type CtrKeystreamOptions } from './ctr-keystream.js'
import { HMAC_DIGEST_BYTES, HMAC_PAD_BYTES, HmacSha256 } from './hmac-sha256.js'

/** The `enc.alg` of records sealed by `CtrHmacAead`. */
export const CTR_HMAC_ALG = 'aes-256-ctr-hmac-sha256'
/** HKDF `info`: binds the derived keys to this construction and version. */
const HKDF_INFO = 'promptledger/record-enc/aes-256-ctr-hmac-sha256/v1'
const AES_KEY_BYTES = 32
const MAC_KEY_BYTES = 32
/** The derived keys, `aesKey ‖ macKey`, as `deriveKeys` returns them and `fromKeys` takes them. */
export const DERIVED_KEY_BYTES = AES_KEY_BYTES + MAC_KEY_BYTES
/** HMAC-SHA-256 truncated to 128 bits (RFC 4868's HMAC-SHA-256-128; Tink's tag size 16), as strong as GCM's tag. */
export const TAG_BYTES = 16
/** The AAD's length in bits, 64-bit big-endian, closes the MAC input (as in Tink's encrypt-then-MAC). */
const AAD_LENGTH_BYTES = 8
/** Scratch buffers up to this size are kept for the next record; larger records get a one-off buffer. */
const KEEP_SCRATCH_BYTES = 1 << 20

export interface SealedContent {
  /** base64 of the AES-256-CTR ciphertext (as long as the plaintext). */
  ct: string
  /** base64 of the 16-byte initial counter block. */
  iv: string
  /** base64 of the 16-byte tag. */
  tag: string
}

/**
 * An AEAD built as AES-256-CTR then HMAC-SHA-256 (encrypt-then-MAC, the construction of Google Tink's
 * `AesCtrHmacAead`), with both keys derived from one data key by HKDF-SHA-256 (RFC 5869):
 *
 * - `aesKey ‖ macKey = HKDF-SHA-256(ikm = data key, salt = "", info = HKDF_INFO, L = 64)`
 * - `ct = AES-256-CTR(aesKey, iv, plaintext)`, `iv` a fresh 16-byte counter block (see `CtrKeystream`)
 * - `tag = HMAC-SHA-256(macKey, aad ‖ iv ‖ ct ‖ uint64be(bit length of aad))[0, 16)`
 *
 * `open` checks the tag (constant time) before decrypting. Why not AES-GCM: Node offers no way to
 * reuse a GCM context under a new IV, and creating one per record cost more than all the record's
 * other crypto work; CTR keeps one context per key, and HMAC is two one-shot hashes.
 *
 * @example
 * const aead = CtrHmacAead.derive(dataKey)
 * const sealed = aead.seal(JSON.stringify(content), aad)
 * const clear = aead.open(Buffer.from(sealed.iv, 'base64'), Buffer.from(sealed.ct, 'base64'), Buffer.from(sealed.tag, 'base64'), aad)
 */
export class CtrHmacAead {
  readonly #aesKey: KeyObject
  readonly #mac: HmacSha256
  readonly #streamOptions: CtrKeystreamOptions
  /** Created on the first `seal`: a key that only decrypts never holds a context. */
  #stream: CtrKeystream | null = null

  private constructor(aesKey: KeyObject, macKey: Uint8Array, streamOptions: CtrKeystreamOptions) {
    this.#aesKey = aesKey
    this.#mac = new HmacSha256(macKey)
    this.#streamOptions = streamOptions
  }

  /** Derives the AES and MAC keys from a 32-byte data key (once per data key; callers cache the result). */
  static derive(dataKey: KeyObject, streamOptions: CtrKeystreamOptions = {}): CtrHmacAead {
    const okm = CtrHmacAead.deriveKeys(dataKey)
    try {
      return CtrHmacAead.fromKeys(okm, streamOptions)
    } finally {
      okm.fill(0)
    }
  }

  /**
   * `aesKey ‖ macKey` ({@link DERIVED_KEY_BYTES}) of a data key: what the ledger hands the build worker,
   * so that the data key itself never leaves the ledger's thread. The caller zeroes it when done.
   */
  static deriveKeys(dataKey: KeyObject): Buffer {
    return Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), HKDF_INFO, DERIVED_KEY_BYTES))
  }

  /** The AEAD of keys from `deriveKeys`; it keeps copies, so the caller may zero `keys` at once. */
  static fromKeys(keys: Uint8Array, streamOptions: CtrKeystreamOptions = {}): CtrHmacAead {
    if (keys.length !== DERIVED_KEY_BYTES) throw new RangeError('CtrHmacAead: derived keys are 64 bytes')
    const aesKey = createSecretKey(keys.subarray(0, AES_KEY_BYTES))
    return new CtrHmacAead(aesKey, keys.subarray(AES_KEY_BYTES), streamOptions)
  }

  /** Encrypts and authenticates `plaintext` (UTF-8) with `aad` bound to it. */
  seal(plaintext: string, aad: string): SealedContent {
    // An upper bound on the UTF-8 length avoids measuring the string when the scratch is big enough.
    const bound = plaintext.length * 3 + 2 * BLOCK_BYTES
    const data = dataScratch(bound <= dataBytes.length ? bound : Buffer.byteLength(plaintext) + 2 * BLOCK_BYTES)
    // The IV goes in front of the plaintext, so IV and ciphertext reach the MAC input in one copy.
    const length = data.write(plaintext, BLOCK_BYTES)
    const mac = macScratch(macInputBound(aad, length))
    const ivAt = HMAC_PAD_BYTES + mac.write(aad, HMAC_PAD_BYTES)
    this.#stream ??= new CtrKeystream(this.#aesKey, this.#streamOptions)
    // In place: `data` holds ciphertext from here on, so no plaintext stays in the scratch.
    this.#stream.encrypt(data === dataBytes ? dataWords : wordsOf(data), BLOCK_BYTES, length)
    data.copy(mac, ivAt, 0, BLOCK_BYTES + length)
    this.#tag(mac, ivAt, length)
    return {
      ct: data.toString('base64', BLOCK_BYTES, BLOCK_BYTES + length),
      iv: data.toString('base64', 0, BLOCK_BYTES),
      tag: tagScratch.toString('base64', 0, TAG_BYTES),
    }
  }

  /**
   * Zeroes what JavaScript holds of the keys (the MAC's padded keys) and the keystream made ahead; the
   * AES key lives in native memory (a KeyObject, the cipher context) and goes when they are collected.
   * The AEAD must not be used after.
   */
  destroy(): void {
    this.#mac.destroy()
    this.#stream?.dispose()
    this.#stream = null
  }

  /** The plaintext, or null when the tag does not match (altered ciphertext, IV, tag or AAD, or another key). */
  open(iv: Buffer, ct: Buffer, tag: Buffer, aad: string): Buffer | null {
    if (iv.length !== BLOCK_BYTES || tag.length !== TAG_BYTES) return null
    const mac = macScratch(macInputBound(aad, ct.length))
    const ivAt = HMAC_PAD_BYTES + mac.write(aad, HMAC_PAD_BYTES)
    iv.copy(mac, ivAt)
    ct.copy(mac, ivAt + BLOCK_BYTES)
    this.#tag(mac, ivAt, ct.length)
    if (!timingSafeEqual(tagScratch.subarray(0, TAG_BYTES), tag)) return null
    const decipher = createDecipheriv('aes-256-ctr', this.#aesKey, iv)
    return Buffer.concat([decipher.update(ct), decipher.final()])
  }

  /**
   * MACs `aad ‖ iv ‖ ct ‖ uint64be(aad bits)` into `tagScratch`; `mac` holds the AAD from byte 64 up
   * to `ivAt`, then the IV and `ctLength` bytes of ciphertext.
   */
  #tag(mac: Buffer, ivAt: number, ctLength: number): void {
    // The AAD is far below 2^29 bytes: the high word of the 64-bit bit length is zero.
    const bits = (ivAt - HMAC_PAD_BYTES) * 8
    const at = ivAt + BLOCK_BYTES + ctLength
    mac[at] = mac[at + 1] = mac[at + 2] = mac[at + 3] = 0
    mac[at + 4] = bits >>> 24
    mac[at + 5] = (bits >>> 16) & 0xff
    mac[at + 6] = (bits >>> 8) & 0xff
    mac[at + 7] = bits & 0xff
    this.#mac.digestInto(mac, at + AAD_LENGTH_BYTES, tagScratch)
  }
}

/** Room for the MAC input: pad slot, AAD (UTF-8 bound), IV, ciphertext, AAD length. */
function macInputBound(aad: string, ctLength: number): number {
  return HMAC_PAD_BYTES + aad.length * 3 + BLOCK_BYTES + ctLength + AAD_LENGTH_BYTES
}

// Per-process scratch buffers, reused by every record: sealing is synchronous, so two calls never
// share them, and a record costs no allocation besides its base64 strings. `Buffer.alloc` gives each
// its own memory, 4-byte aligned as the keystream's word view needs; the view is made once per buffer.
let dataBytes: Buffer = Buffer.alloc(64 * 1024)
let dataWords = wordsOf(dataBytes)
let macBytes: Buffer = Buffer.alloc(64 * 1024)
const tagScratch = Buffer.alloc(HMAC_DIGEST_BYTES)

function wordsOf(buffer: Buffer): Int32Array {
  return new Int32Array(buffer.buffer, buffer.byteOffset, buffer.length >>> 2)
}

/** A buffer of at least `bytes`: the scratch, grown (in powers of two) up to KEEP_SCRATCH_BYTES. */
function grow(bytes: number): Buffer {
  return Buffer.alloc(bytes <= KEEP_SCRATCH_BYTES ? 2 ** Math.ceil(Math.log2(bytes)) : bytes)
}

/** The data scratch (its word view is `dataWords`); a record above KEEP_SCRATCH_BYTES gets a one-off buffer. */
function dataScratch(bytes: number): Buffer {
  if (bytes <= dataBytes.length) return dataBytes
  const grown = grow(bytes)
  if (bytes > KEEP_SCRATCH_BYTES) return grown
  dataBytes = grown
  dataWords = wordsOf(grown)
  return grown
}

function macScratch(bytes: number): Buffer {
  if (bytes <= macBytes.length) return macBytes
  const grown = grow(bytes)
  if (bytes <= KEEP_SCRATCH_BYTES) macBytes = grown
  return grown
}
