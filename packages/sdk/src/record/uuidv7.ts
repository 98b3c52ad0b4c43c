import { randomFillSync } from 'node:crypto'

// Random bytes are drawn 4 KiB at a time: one syscall per 256 ids keeps `log()` O(1) and cheap.
const POOL = Buffer.allocUnsafe(4096)
let poolOffset = POOL.length
let lastMs = 0
let counter = 0
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

function random16(): Buffer {
  if (poolOffset + 16 > POOL.length) {
    randomFillSync(POOL)
    poolOffset = 0
  }
  const out = POOL.subarray(poolOffset, poolOffset + 16)
  poolOffset += 16
  return out
}

/**
 * A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then randomness. Ids made in the same millisecond
 * by this process stay ordered through a 12-bit counter in `rand_a` (method 1 of RFC 9562 §6.2).
 *
 * @example uuidv7() // '01936b2e-8f3a-7c21-9b1e-4f2d8a6c0e11'
 */
export function uuidv7(now: number = Date.now()): string {
  const b = random16()
  if (now > lastMs) {
    lastMs = now
    counter = (b[6]! & 0x07) * 256 + b[7]! // start low so the counter rarely overflows
  } else {
    counter++
    if (counter > 0xfff) {
      lastMs++
      counter = 0
    }
    now = lastMs
  }
  const ms = now
  let s = ''
  s += HEX[Math.floor(ms / 2 ** 40) & 0xff]! + HEX[Math.floor(ms / 2 ** 32) & 0xff]!
  s += HEX[(ms >>> 24) & 0xff]! + HEX[(ms >>> 16) & 0xff]! + '-'
  s += HEX[(ms >>> 8) & 0xff]! + HEX[ms & 0xff]! + '-'
  s += HEX[0x70 | (counter >>> 8)]! + HEX[counter & 0xff]! + '-'
  s += HEX[0x80 | (b[8]! & 0x3f)]! + HEX[b[9]!]! + '-'
  for (let i = 10; i < 16; i++) s += HEX[b[i]!]!
  return s
}

/** The Unix milliseconds encoded in a UUIDv7. */
export function uuidv7Time(id: string): number {
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)
}
