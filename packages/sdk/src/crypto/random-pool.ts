import { randomBytes, randomFillSync } from 'node:crypto'

/** Refilled with one `randomFillSync` call; requests above MAX_POOLED go straight to `randomBytes`. */
const POOL_BYTES = 4096
const MAX_POOLED = 64

const pool = Buffer.alloc(POOL_BYTES)
let at = POOL_BYTES

/**
 * `n` bytes from the CSPRNG, like `randomBytes(n)`, for the small values made per new data key (the
 * key, its id, the wrap IV, the counter start). Hot path: each `randomBytes` call cost 3–4 µs, mostly
 * call overhead, four times per new subject; one 4 KiB fill serves about 50 subjects. Every byte is
 * handed out once and zeroed in the pool as it is taken, so no key bytes stay behind in it.
 *
 * @example
 * const raw = pooledRandomBytes(32)
 */
export function pooledRandomBytes(n: number): Buffer {
  if (n > MAX_POOLED) return randomBytes(n)
  if (at + n > POOL_BYTES) {
    randomFillSync(pool)
    at = 0
  }
  // A copy in its own memory: the caller may zero or keep it, and the pool's next fill never touches it.
  const out = Buffer.allocUnsafeSlow(n)
  pool.copy(out, 0, at, at + n)
  pool.fill(0, at, at + n)
  at += n
  return out
}
