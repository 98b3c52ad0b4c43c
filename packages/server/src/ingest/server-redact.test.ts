import { computeSignals, createRedactor, isCanonicalAsIs, toRecord } from '@promptledger/sdk'
import { describe, expect, it } from 'vitest'
import { serverRedact } from './server-redact.js'

const record = (redactions: Record<string, number>) => {
  const r = toRecord(
    {
      messages: [{ role: 'user', content: 'Mail ana.lopez@example.com or call +1 415 555 0100.' }],
      output: 'Charged card 4111 1111 1111 1111 for ana.lopez@example.com.',
      model: 'gpt-4o-mini',
    },
    { id: '01a2226d-31ee-708a-9330-8cf4f234e8d8', loggedAt: 0, hmacKey: null, redacted: false },
  )
  r.redactions = redactions
  r.signals = computeSignals(r)
  return r
}

describe('serverRedact', () => {
  it("adds its counts to the client's and keeps every key in code-unit order", () => {
    // The client's counts, unsorted; the pass finds an email before a card and a phone.
    const r = record({ US_SSN: 2, CREDIT_CARD: 1 })
    serverRedact(createRedactor(), r)
    expect(Object.keys(r.redactions)).toEqual(['CREDIT_CARD', 'EMAIL_ADDRESS', 'PHONE_NUMBER', 'US_SSN'])
    expect(r.redactions).toEqual({ CREDIT_CARD: 2, EMAIL_ADDRESS: 2, PHONE_NUMBER: 1, US_SSN: 2 })
    expect(r.signals?.pii_in_response).toEqual({ CREDIT_CARD: 1, EMAIL_ADDRESS: 1 })
    expect(Object.keys(r.signals?.pii_in_response ?? {})).toEqual(['CREDIT_CARD', 'EMAIL_ADDRESS'])
    // The record as a whole stays canonical: the seal takes its native-stringify path.
    expect(isCanonicalAsIs(r)).toBe(true)
    expect(JSON.stringify(r)).not.toContain('ana.lopez@example.com')
  })

  it('keeps a client count named __proto__ as a count, not a prototype', () => {
    const r = record(JSON.parse('{"__proto__": 3, "ZIP": 1}') as Record<string, number>)
    serverRedact(createRedactor(), r)
    expect(Object.hasOwn(r.redactions, '__proto__')).toBe(true)
    expect(Object.getPrototypeOf(r.redactions)).toBe(Object.prototype)
    expect(Object.keys(r.redactions)).toEqual([...Object.keys(r.redactions)].sort())
  })
})
