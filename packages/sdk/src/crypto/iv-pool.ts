import { randomBytes } from 'node:crypto'

const IV_BYTES = 12
const POOL_IVS = 1024

let pool = Buffer.alloc(0)
let offset = 0

/**
 * A fresh random 96-bit GCM IV. Drawn from a pooled `randomBytes` buffer: one CSPRNG call per 1024
 * IVs instead of one per record (the per-call overhead dominated encryption in `bench/encryption`).
 * IVs stay fully random, so uniqueness per key holds across processes without coordination.
 */
export function nextIv(): Buffer {
  if (offset + IV_BYTES > pool.length) {
    pool = randomBytes(IV_BYTES * POOL_IVS)
    offset = 0
  }
  const iv = pool.subarray(offset, offset + IV_BYTES)
  offset += IV_BYTES
  return iv
}
