import { describe, expect, it } from 'vitest'
import { createRedactor } from './engine.js'
import { hmacOperator, maskOperator } from './operators.js'

describe('operators', () => {
  it('mask keeps a card’s last four and cannot form a new valid card', () => {
    const masked = maskOperator('4111-1111-1111-1111', 'CREDIT_CARD')
    expect(masked).toBe('****-****-****-1111')
    expect(masked.replace(/\D/g, '')).toHaveLength(4)
  })
  it('mask hides letters and digits of other types', () => {
    expect(maskOperator('ana@example.com', 'EMAIL_ADDRESS')).toBe('***@*******.***')
  })
  it('hmac is stable per key and differs across keys', () => {
    const a = hmacOperator(Buffer.from('key-a'))
    const b = hmacOperator(Buffer.from('key-b'))
    expect(a('Maria Lopez', 'PERSON')).toBe(a('Maria Lopez', 'PERSON'))
    expect(a('Maria Lopez', 'PERSON')).not.toBe(b('Maria Lopez', 'PERSON'))
    expect(a('Maria Lopez', 'PERSON')).toMatch(/^<PERSON_[0-9a-f]{12}>$/)
  })
  it('applies operators per entity type in the engine', () => {
    const r = createRedactor({
      operators: { CREDIT_CARD: 'mask', EMAIL_ADDRESS: 'drop', PERSON: 'hmac' },
      hmacKey: Buffer.from('k'),
    })
    const out = r.redact('Dear Maria Lopez, card 4111 1111 1111 1111, mail ana@example.com.').text
    expect(out).toContain('**** **** **** 1111')
    expect(out).toContain('mail .')
    expect(out).toMatch(/Dear <PERSON_[0-9a-f]{12}>,/)
  })
  it('refuses hmac without a key', () => {
    expect(() => createRedactor({ operators: { PERSON: 'hmac' } })).toThrow(/hmacKey/)
  })
})
