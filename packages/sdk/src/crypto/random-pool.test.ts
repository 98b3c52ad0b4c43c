import { describe, expect, it } from 'vitest'
import { pooledRandomBytes } from './random-pool.js'

describe('pooledRandomBytes', () => {
  it('hands out each byte once, in buffers of their own', () => {
    const seen = new Set<string>()
    // Enough draws to cross several refills of the pool.
    for (let i = 0; i < 1000; i++) {
      const bytes = pooledRandomBytes(i % 2 === 0 ? 32 : 12)
      expect(bytes.length).toBe(i % 2 === 0 ? 32 : 12)
      expect(bytes.byteOffset).toBe(0)
      expect(bytes.buffer.byteLength).toBe(bytes.length)
      seen.add(bytes.toString('hex'))
    }
    expect(seen.size).toBe(1000)
  })

  it('is unaffected by what the caller does with an earlier buffer', () => {
    const a = pooledRandomBytes(32)
    const copy = Buffer.from(a)
    a.fill(0)
    const b = pooledRandomBytes(32)
    expect(b.equals(copy)).toBe(false)
    expect(b.equals(Buffer.alloc(32))).toBe(false)
  })

  it('serves large requests directly', () => {
    expect(pooledRandomBytes(5000).length).toBe(5000)
  })
})
