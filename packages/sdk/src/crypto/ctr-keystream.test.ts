import { createDecipheriv, createSecretKey, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { addBlocks, BLOCK_BYTES, CtrKeystream, type CtrKeystreamOptions } from './ctr-keystream.js'

const key = createSecretKey(randomBytes(32))

/** What a reader does: plain AES-256-CTR from the record's IV, one fresh context per record. */
function decryptAlone(iv: Buffer, ct: Buffer): Buffer {
  const d = createDecipheriv('aes-256-ctr', key, iv)
  return Buffer.concat([d.update(ct), d.final()])
}

/** Encrypts at a word offset that is not a block boundary (20), behind bytes the IV must not spill into. */
function encrypt(stream: CtrKeystream, plain: Buffer): { iv: Buffer; ct: Buffer } {
  const at = 20
  const data = Buffer.alloc(at + Math.ceil(plain.length / BLOCK_BYTES) * BLOCK_BYTES + BLOCK_BYTES, 0xaa)
  plain.copy(data, at)
  stream.encrypt(new Int32Array(data.buffer, data.byteOffset, data.length >>> 2), at, plain.length)
  expect(data.subarray(0, at - BLOCK_BYTES)).toEqual(Buffer.alloc(at - BLOCK_BYTES, 0xaa))
  return { iv: Buffer.from(data.subarray(at - BLOCK_BYTES, at)), ct: Buffer.from(data.subarray(at, at + plain.length)) }
}

function hex(s: string): Buffer {
  return Buffer.from(s.replace(/ /g, ''), 'hex')
}

const LENGTHS = [1, 15, 16, 17, 31, 32, 33, 500, 0, 4096, 7, 40_000, 3]
const RANDOM_START = randomBytes(16)
const SMALL_CHUNKS: CtrKeystreamOptions = { minChunkBytes: 64, maxChunkBytes: 256 }

describe('CtrKeystream', () => {
  it.each([
    ['random', () => Buffer.from(RANDOM_START)],
    ['low 32 bits about to wrap', () => hex('01020304 05060708 090a0b0c fffffffd')],
    ['low 64 bits about to wrap', () => hex('01020304 05060708 ffffffff fffffffe')],
    ['the whole 128-bit counter about to wrap', () => hex('ffffffff ffffffff ffffffff fffffffe')],
  ])('gives every record an IV from which it decrypts alone (%s start)', (_name, start) => {
    for (const chunks of [{}, SMALL_CHUNKS]) {
      const stream = new CtrKeystream(key, { start, ...chunks })
      const ivs = new Set<string>()
      let previous: { iv: Buffer; blocks: number } | null = null
      for (const length of LENGTHS) {
        const plain = randomBytes(length)
        const { iv, ct } = encrypt(stream, plain)
        expect(decryptAlone(iv, ct)).toEqual(plain)
        if (previous) {
          // Forward only: at least past the previous record (further when a chunk's rest was skipped).
          const next = Buffer.from(previous.iv)
          addBlocks(next, previous.blocks)
          expect(BigInt(`0x${iv.toString('hex')}`) - BigInt(`0x${next.toString('hex')}`)).toBeGreaterThanOrEqual(0n)
        } else {
          expect(iv).toEqual(start())
        }
        if (length > 0) ivs.add(iv.toString('hex'))
        previous = { iv, blocks: Math.ceil(length / BLOCK_BYTES) }
      }
      expect(ivs.size).toBe(LENGTHS.filter((n) => n > 0).length)
    }
  })

  it('never reuses keystream: equal plaintexts encrypt differently', () => {
    const stream = new CtrKeystream(key)
    const plain = Buffer.from('same content every time')
    const a = encrypt(stream, plain)
    const b = encrypt(stream, plain)
    expect(a.ct).not.toEqual(b.ct)
    expect(a.iv).not.toEqual(b.iv)
  })

  it('moves to a fresh start before a context would pass maxBlocks', () => {
    const starts = [hex('00000000 00000000 00000000 00000000'), hex('aa000000 00000000 00000000 00000000')]
    let next = 0
    const stream = new CtrKeystream(key, {
      maxBlocks: 8,
      minChunkBytes: 64,
      maxChunkBytes: 64,
      start: () => Buffer.from(starts[next++]!),
    })
    const first = encrypt(stream, randomBytes(48)) // chunk 1, sized to the record: blocks 0–2
    const second = encrypt(stream, randomBytes(64)) // chunk 2: blocks 3–6
    const plain = randomBytes(16)
    const third = encrypt(stream, plain) // a third chunk would pass 8 blocks: new context
    expect(first.iv).toEqual(starts[0])
    expect(second.iv).toEqual(hex('00000000 00000000 00000000 00000003'))
    expect(third.iv).toEqual(starts[1])
    expect(next).toBe(2)
    expect(decryptAlone(third.iv, third.ct)).toEqual(plain)
  })

  it('holds a bounded number of chunks: an evicted stream skips ahead and stays decryptable', () => {
    const first = new CtrKeystream(key, { start: () => hex('00000000 00000000 00000000 00000000') })
    const a = encrypt(first, randomBytes(100)) // cold: a chunk of the record's 7 blocks
    const b = encrypt(first, randomBytes(100)) // warm: a 2 KiB chunk (128 blocks) from block 7
    // Hundreds of other keys take chunks; `first`'s chunk falls off the budget.
    const others = Array.from({ length: 300 }, () => new CtrKeystream(key))
    for (const s of others) encrypt(s, randomBytes(10))
    const plain = randomBytes(100)
    const c = encrypt(first, plain)
    expect(a.iv).toEqual(hex('00000000 00000000 00000000 00000000'))
    expect(b.iv).toEqual(hex('00000000 00000000 00000000 00000007'))
    expect(c.iv).toEqual(hex('00000000 00000000 00000000 00000087'))
    expect(decryptAlone(c.iv, c.ct)).toEqual(plain)
  })

  it('makes a cold key only the keystream its record needs, and grows the chunks of a busy key', () => {
    const stream = new CtrKeystream(key, { start: () => hex('00000000 00000000 00000000 00000000'), ...SMALL_CHUNKS })
    const blocks = (iv: Buffer) => Number(BigInt(`0x${iv.toString('hex')}`))
    const ivs = Array.from({ length: 6 }, () => blocks(encrypt(stream, randomBytes(40)).iv))
    // 3 blocks per record. Chunks: 3 blocks (cold) at 0, then 4 blocks at 3, 8 at 7, 16 at 15: a
    // record that does not fit in a chunk's rest starts the next chunk, and the counter skips the rest.
    expect(ivs).toEqual([0, 3, 7, 10, 15, 18])
    // Evicted by other keys' chunks: cold again, so the next chunk is just the record's.
    for (const s of Array.from({ length: 300 }, () => new CtrKeystream(key))) encrypt(s, randomBytes(10))
    const after = blocks(encrypt(stream, randomBytes(40)).iv)
    const next = blocks(encrypt(stream, randomBytes(40)).iv)
    expect(after).toBeGreaterThan(18)
    expect(next).toBe(after + 3)
  })
})

describe('addBlocks', () => {
  it('adds with carry across all 16 bytes, modulo 2^128', () => {
    const c = hex('00000000 00000000 00000000 ffffffff')
    addBlocks(c, 1)
    expect(c).toEqual(hex('00000000 00000000 00000001 00000000'))
    const d = hex('ffffffff ffffffff ffffffff ffffff00')
    addBlocks(d, 0x1ff)
    expect(d).toEqual(hex('00000000 00000000 00000000 000000ff'))
    const e = hex('00000000 00000000 00000000 00000001')
    addBlocks(e, 0xffffffff)
    expect(e).toEqual(hex('00000000 00000000 00000001 00000000'))
  })
})
