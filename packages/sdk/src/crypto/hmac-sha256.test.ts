import { createHmac, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { HMAC_DIGEST_BYTES, HMAC_PAD_BYTES, HmacSha256 } from './hmac-sha256.js'

function mac(key: Buffer, message: Buffer): Buffer {
  const buf = Buffer.alloc(HMAC_PAD_BYTES + message.length + 7, 0xee) // trailing bytes must not count
  message.copy(buf, HMAC_PAD_BYTES)
  return digest(new HmacSha256(key), buf, HMAC_PAD_BYTES + message.length)
}

function digest(h: HmacSha256, buf: Buffer, end: number): Buffer {
  const out = Buffer.alloc(HMAC_DIGEST_BYTES)
  h.digestInto(buf, end, out)
  return out
}

describe('HmacSha256', () => {
  it('equals createHmac byte for byte across key and message lengths (SHA-256 padding edges included)', () => {
    for (const keyLength of [0, 1, 31, 32, 33, 63, 64]) {
      for (const messageLength of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 4097]) {
        const key = randomBytes(keyLength)
        const message = randomBytes(messageLength)
        expect(mac(key, message)).toEqual(createHmac('sha256', key).update(message).digest())
      }
    }
  })

  it('matches RFC 4231 test case 2', () => {
    const tag = mac(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?'))
    expect(tag.toString('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843')
  })

  it('keeps no state between messages', () => {
    const key = randomBytes(32)
    const h = new HmacSha256(key)
    const a = Buffer.alloc(HMAC_PAD_BYTES + 3)
    a.write('abc', HMAC_PAD_BYTES)
    const first = digest(h, a, a.length)
    digest(h, Buffer.alloc(HMAC_PAD_BYTES + 100, 1), HMAC_PAD_BYTES + 100)
    a.write('abc', HMAC_PAD_BYTES)
    expect(digest(h, a, a.length)).toEqual(first)
    expect(first).toEqual(createHmac('sha256', key).update('abc').digest())
  })

  it('refuses keys longer than one block', () => {
    expect(() => new HmacSha256(Buffer.alloc(65))).toThrow(RangeError)
  })
})
