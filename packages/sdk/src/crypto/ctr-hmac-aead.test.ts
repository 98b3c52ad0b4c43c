import { createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { CtrHmacAead } from './ctr-hmac-aead.js'

const dataKey = createSecretKey(randomBytes(32))

/**
 * The construction spelled out with Node's stock primitives (HKDF, AES-256-CTR, createHmac), as a
 * reader in another language would implement it from docs/security.md.
 */
function referenceOpen(iv: Buffer, ct: Buffer, aad: string): { clear: Buffer; tag: Buffer } {
  const okm = Buffer.from(
    hkdfSync('sha256', dataKey, Buffer.alloc(0), 'promptledger/record-enc/aes-256-ctr-hmac-sha256/v1', 64),
  )
  const aadBytes = Buffer.from(aad, 'utf8')
  const bits = Buffer.alloc(8)
  bits.writeBigUInt64BE(BigInt(aadBytes.length * 8))
  const tag = createHmac('sha256', okm.subarray(32)).update(aadBytes).update(iv).update(ct).update(bits).digest()
  const d = createDecipheriv('aes-256-ctr', okm.subarray(0, 32), iv)
  return { clear: Buffer.concat([d.update(ct), d.final()]), tag: tag.subarray(0, 16) }
}

const b64 = (s: string) => Buffer.from(s, 'base64')
const flip = (buf: Buffer, at: number) => {
  const out = Buffer.from(buf)
  out[at] = (out[at] ?? 0) ^ 0x01
  return out
}

describe('CtrHmacAead', () => {
  it('produces exactly the documented construction, for ASCII, multi-byte and large plaintexts', () => {
    const aead = CtrHmacAead.derive(dataKey)
    for (const text of ['{}', 'x'.repeat(1500), '{"a":"ünïcødé ✓ 🚀"}', 'y'.repeat(3 << 20), '{"b":1}']) {
      const aad = JSON.stringify(['0193a0c0-0000-7000-8000-000000000001', 'aes-256-ctr-hmac-sha256', 'k', 'user:ü'])
      const sealed = aead.seal(text, aad)
      const ref = referenceOpen(b64(sealed.iv), b64(sealed.ct), aad)
      expect(ref.clear.toString('utf8')).toBe(text)
      expect(b64(sealed.tag)).toEqual(ref.tag)
      expect(aead.open(b64(sealed.iv), b64(sealed.ct), b64(sealed.tag), aad)?.toString('utf8')).toBe(text)
    }
  })

  it('opens under a fresh derivation of the same data key (another process, after a restart)', () => {
    const sealed = CtrHmacAead.derive(dataKey).seal('hello', 'aad')
    expect(CtrHmacAead.derive(dataKey).open(b64(sealed.iv), b64(sealed.ct), b64(sealed.tag), 'aad')?.toString()).toBe(
      'hello',
    )
  })

  it('rejects any flipped byte of ciphertext, IV, tag or AAD, a truncated tag and another key', () => {
    const aead = CtrHmacAead.derive(dataKey)
    const sealed = aead.seal('{"secret":"value"}', 'record-1')
    const [iv, ct, tag] = [b64(sealed.iv), b64(sealed.ct), b64(sealed.tag)]
    expect(aead.open(iv, ct, tag, 'record-1')).not.toBeNull()
    for (let i = 0; i < ct.length; i++) expect(aead.open(iv, flip(ct, i), tag, 'record-1')).toBeNull()
    for (let i = 0; i < iv.length; i++) expect(aead.open(flip(iv, i), ct, tag, 'record-1')).toBeNull()
    for (let i = 0; i < tag.length; i++) expect(aead.open(iv, ct, flip(tag, i), 'record-1')).toBeNull()
    expect(aead.open(iv, ct, tag, 'record-2')).toBeNull()
    expect(aead.open(iv, ct, tag.subarray(0, 12), 'record-1')).toBeNull()
    expect(aead.open(iv, ct.subarray(1), tag, 'record-1')).toBeNull()
    expect(CtrHmacAead.derive(createSecretKey(randomBytes(32))).open(iv, ct, tag, 'record-1')).toBeNull()
  })
})
