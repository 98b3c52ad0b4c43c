import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createRedactor } from './engine.js'
import { cardIssuer } from './validators/card-issuer.js'
import { luhn } from './validators/luhn.js'

const r = createRedactor()

// Text built from pieces that hold entities, look-alikes and plain words, so properties see realistic mixtures.
const piece = fc.constantFrom(
  'ana.lopez@example.com',
  '4111 1111 1111 1111',
  '123-45-6780',
  'GB82 WEST 1234 5698 7654 32',
  '203.0.113.9',
  '(415) 555-0132',
  '+44 7700 900123',
  'sk-proj-A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6',
  'Dear Maria Lopez,',
  'my name is Oluwaseun',
  '221 Baker Street',
  'order #56413599',
  'v1.2.3',
  '2025-03-10',
  'hello',
  'the',
  'and',
  '\n',
  ', ',
  '<EMAIL_ADDRESS>',
  '<PERSON>',
)
const text = fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(' '))

describe('createRedactor', () => {
  it('replaces with <TYPE> tokens and reports offsets into the original', () => {
    const input = 'mail ana@example.com or call (415) 555-0132'
    const { text: out, findings } = r.redact(input)
    expect(out).toBe('mail <EMAIL_ADDRESS> or call <PHONE_NUMBER>')
    expect(findings.map((f) => input.slice(f.start, f.end))).toEqual(['ana@example.com', '(415) 555-0132'])
  })

  it('redacts terms (whole words, case-insensitive) and named patterns, and honours the allow-list', () => {
    const custom = createRedactor({
      terms: ['Project Falcon'],
      patterns: [{ type: 'EMPLOYEE_ID', pattern: /\bEMP-\d{6}\b/ }, /\bACME-\d+\b/],
      allow: ['support@example.com'],
    })
    const out = custom.redact('project falcon, EMP-123456, ACME-9, support@example.com, ana@example.com').text
    expect(out).toBe('<CUSTOM>, <EMPLOYEE_ID>, <CUSTOM>, support@example.com, <EMAIL_ADDRESS>')
    expect(custom.redact('falconry').text).toBe('falconry')
  })

  it('rejects a pattern type that is not an upper-case name', () => {
    expect(() => createRedactor({ patterns: [{ type: 'bad type', pattern: /x/ }] })).toThrow(/patterns\[0\]\.type/)
  })

  it('is idempotent: redacting redacted text changes nothing', () => {
    fc.assert(
      fc.property(text, (t) => {
        const once = r.redact(t).text
        expect(r.redact(once).text).toBe(once)
      }),
      { numRuns: 300 },
    )
  })

  it('is idempotent when entities are glued by punctuation (the fast path without a second analysis)', () => {
    const sep = fc.constantFrom(' ', '', '.', ',', ':', '-', '=', '\n', '"', "'", '(', ')', '_', '@', '/', ': ')
    const glued = fc.array(fc.tuple(piece, sep), { maxLength: 20 }).map((ps) => ps.map(([p, s]) => p + s).join(''))
    fc.assert(
      fc.property(glued, (t) => {
        const once = r.redact(t).text
        expect(r.redact(once).text).toBe(once)
      }),
      { numRuns: 300 },
    )
  })

  it('reads a name again once an entity glued to it by an apostrophe is replaced', () => {
    // "Oluwaseun'GB82" is one word to the person recognizer (as O'Neil is); the IBAN's token cuts it.
    const once = r.redact("my name is Oluwaseun'GB82 WEST 1234 5698 7654 32 ").text
    expect(once).toBe("my name is <PERSON>'<IBAN_CODE> ")
    expect(r.redact(once).text).toBe(once)
  })

  it('does not read the words inside its own tokens as address phrases', () => {
    const out = r.redact('from 203.0.113.9 v1.2.3 lives at Paris').text
    expect(out).toBe('from <IP_ADDRESS> v1.2.3 lives at Paris')
  })

  it('never leaves or creates a valid card number', () => {
    const masked = createRedactor({ operators: { CREDIT_CARD: 'mask' } })
    fc.assert(
      fc.property(text, (t) => {
        for (const out of [r.redact(t).text, masked.redact(t).text]) {
          for (const m of out.matchAll(/\d(?:[ -]?\d){11,18}/g)) {
            const digits = m[0].replace(/\D/g, '')
            expect(cardIssuer(digits) !== null && luhn(digits)).toBe(false)
          }
        }
      }),
      { numRuns: 200 },
    )
  })

  it('runs every recognizer that needs no profile bit, even on a text with none (no digit, capital or symbol)', () => {
    // The engine skips a built-in recognizer whose text-profile bits are missing; PERSON and the user's own
    // recognizers have none to miss.
    expect(r.redact('my name is vitoria').text).toBe('my name is <PERSON>')
    const own = createRedactor({ terms: ['falcon'] })
    expect(own.redact('project falcon').text).toBe('project <CUSTOM>')
    const ownOnly = createRedactor({
      recognizers: [{ name: 'x', entities: ['X'], find: (t) => [{ type: 'X', start: 0, end: t.length, score: 1 }] }],
    })
    expect(ownOnly.redact('abc').text).toBe('<X>')
  })
})
