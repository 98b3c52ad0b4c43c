import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hmacSha256Hex } from './hmac-sha256.js'

describe('hmacSha256Hex', () => {
  it('equals createHmac for any key and text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), fc.string({ unit: 'binary' }), (k, text) => {
        const key = Buffer.from(k)
        expect(hmacSha256Hex(key, text)).toBe(createHmac('sha256', key).update(text).digest('hex'))
      }),
      { numRuns: 300 },
    )
  })

  it('equals createHmac on texts past the scratch buffer and past the fast-path limit', () => {
    const key = Buffer.alloc(32, 9)
    for (const n of [4000, 5000, 21_000, 22_000, 70_000]) {
      const text = 'é'.repeat(n / 2) + 'a'.repeat(n / 2)
      expect(hmacSha256Hex(key, text)).toBe(createHmac('sha256', key).update(text).digest('hex'))
    }
  })
})
