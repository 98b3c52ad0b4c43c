import { createHmac, hash } from 'node:crypto'

const BLOCK = 64
/** Texts longer than this go through `createHmac`, so the scratch buffer stays small. */
const MAX_FAST_BYTES = 64 * 1024

interface Pads {
  inner: Buffer
  outer: Buffer
}

// One pair of padded keys per key (the ledger has one): derived once instead of per record.
const padsByKey = new WeakMap<Buffer, Pads>()
let scratch = Buffer.allocUnsafe(BLOCK + 4096)

function padsOf(key: Buffer): Pads {
  let pads = padsByKey.get(key)
  if (pads) return pads
  const k = Buffer.alloc(BLOCK)
  ;(key.length > BLOCK ? hash('sha256', key, 'buffer') : key).copy(k)
  const inner = Buffer.alloc(BLOCK + 32)
  const outer = Buffer.alloc(BLOCK + 32)
  for (let i = 0; i < BLOCK; i++) {
    inner[i] = k[i]! ^ 0x36
    outer[i] = k[i]! ^ 0x5c
  }
  pads = { inner: inner.subarray(0, BLOCK), outer }
  padsByKey.set(key, pads)
  return pads
}

/**
 * HMAC-SHA-256 (RFC 2104) of a UTF-8 text, as lowercase hex: exactly `createHmac('sha256', key)
 * .update(text).digest('hex')`. Hot path of `log()`'s record building: two one-shot native digests over
 * precomputed padded keys cost about a third of creating an Hmac object per record (see
 * bench/file-ledger.bench.ts); `hmac-sha256.test.ts` proves the equality.
 *
 * @example
 * hmacSha256Hex(key, 'Hi') === createHmac('sha256', key).update('Hi').digest('hex') // true
 */
export function hmacSha256Hex(key: Buffer, text: string): string {
  if (text.length * 3 > MAX_FAST_BYTES) return createHmac('sha256', key).update(text).digest('hex')
  const pads = padsOf(key)
  const need = BLOCK + text.length * 3
  if (scratch.length < need) scratch = Buffer.allocUnsafe(Math.max(need, scratch.length * 2))
  pads.inner.copy(scratch, 0)
  const len = BLOCK + scratch.write(text, BLOCK, 'utf8')
  // Hot path: the inner digest comes back as a 'binary' (latin1) string, one char per byte. A 'buffer'
  // digest allocates a Buffer per call, which cost about as much as the digest of a short prompt.
  pads.outer.write(hash('sha256', scratch.subarray(0, len), 'binary'), BLOCK, 'latin1')
  return hash('sha256', pads.outer, 'hex')
}
