import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createRedactor } from './engine.js'

const r = createRedactor()
const piece = fc.constantFrom(
  'ana.lopez@example.com',
  '4111 1111 1111 1111',
  'SSN 123-45-6780',
  'GB82 WEST 1234 5698 7654 32',
  '203.0.113.9',
  'call (415) 555-0132',
  'sk-proj-A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6',
  'Dear Maria Lopez,',
  '221 Baker Street',
  'lorem ipsum dolor sit amet',
  'order 56413599',
  'Thanks, Zorvath',
  'she lives on Maple Street',
  '"It is late," says Hartvigsson.',
  'NAME: JOHN SMITH',
  'Rahul will call',
  'Hi, my name is carlos mendez and',
  'postgres://admin:S3cr3tPass@db.internal:5432/app',
  '\n',
)

function chunked(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)
  const out: string[] = []
  let prev = 0
  for (const p of points) {
    out.push(text.slice(prev, p))
    prev = p
  }
  out.push(text.slice(prev))
  return out
}

describe('stream redactor', () => {
  it('equals whole-text redaction for random chunkings', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 400 }), fc.array(fc.nat(), { maxLength: 60 }), (parts, cuts) => {
        const text = parts.join(' ')
        const s = r.createStream()
        let out = ''
        for (const c of chunked(text, cuts)) out += s.push(c)
        out += s.end()
        expect(out).toBe(r.redact(text).text)
        expect(s.findings.length).toBe(r.redact(text).findings.length)
      }),
      { numRuns: 60 },
    )
  })

  it('keeps a bounded buffer and still emits text as it arrives', () => {
    const s = r.createStream()
    let emitted = 0
    for (let i = 0; i < 2000; i++) emitted += s.push('plain words without anything to hide ').length
    expect(emitted).toBeGreaterThan(60_000)
    s.end()
  })
})
