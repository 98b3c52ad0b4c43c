import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalize } from '../record/canonical.js'
import { toRecord } from '../record/from-input.js'
import type { LedgerRecord } from '../record/schema.js'
import { Chain, genesis } from './chain.js'
import { LineBuffer } from './line-buffer.js'

const ID = '01936b2e-8f3a-7c21-9b1e-4f2d8a6c0e11'

function linesOf(buf: LineBuffer): string[] {
  const text = buf.bytes.toString('utf8', 0, buf.length)
  expect(text.endsWith('\n')).toBe(true)
  return text.slice(0, -1).split('\n')
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

describe('LineBuffer', () => {
  it('holds each sealed record as its canonical line, hashed like recordHash, for any text', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            prompt: fc.string({ unit: 'grapheme' }),
            metadata: fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue()),
            app: fc.option(fc.string({ unit: 'binary', maxLength: 40 })),
            error: fc.boolean(),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        (inputs) => {
          const lines = new LineBuffer(16) // grows on the first record
          const chain = new Chain(genesis('s'))
          const sealed: LedgerRecord[] = []
          for (const { prompt, metadata, app, error } of inputs) {
            // An error message holding `,"id":"<id>"` must not move where `hash` goes.
            const input = { prompt, metadata, app, ...(error ? { error: { message: `x,"id":"${ID}"` } } : {}) }
            sealed.push(chain.sealInto(toRecord(input, { id: ID, loggedAt: 0, hmacKey: null, redacted: true }), lines))
          }
          const written = linesOf(lines)
          expect(written).toHaveLength(inputs.length)
          expect(lines.count).toBe(inputs.length)
          expect(lines.firstSeq).toBe(0)
          expect(lines.prevHash).toBe(genesis('s').hash)
          sealed.forEach((record, i) => {
            expect(written[i]).toBe(canonicalize(record))
            const { hash, ...body } = record
            expect(hash).toBe(sha256(canonicalize(body)))
            expect(lines.hashes[i]).toBe(hash)
            expect(lines.ends[i]).toBe(Buffer.byteLength(written.slice(0, i + 1).join('\n')) + 1)
          })
        },
      ),
      { numRuns: 150 },
    )
  })

  it('encodes records outside schema v1 with the general encoder, fields included in the hash', () => {
    const lines = new LineBuffer()
    const chain = new Chain(genesis('s'))
    const record = toRecord({ prompt: 'Hi' }, { id: ID, loggedAt: 0, hmacKey: null, redacted: true })
    Object.assign(record, { zz_extra: { b: 1, a: 2 } })
    const sealed = chain.sealInto(record, lines)
    const [line] = linesOf(lines)
    expect(line).toBe(canonicalize(sealed))
    expect(line).toContain('"zz_extra":{"a":2,"b":1}')
    const { hash, ...body } = sealed
    expect(hash).toBe(sha256(canonicalize(body)))
  })

  it('starts empty again after reset', () => {
    const lines = new LineBuffer()
    const chain = new Chain(genesis('s'))
    chain.sealInto(toRecord({ prompt: 'a' }, { id: ID, loggedAt: 0, hmacKey: null, redacted: true }), lines)
    lines.reset()
    expect([lines.count, lines.length, lines.firstSeq]).toEqual([0, 0, -1])
    const second = chain.sealInto(
      toRecord({ prompt: 'b' }, { id: ID, loggedAt: 0, hmacKey: null, redacted: true }),
      lines,
    )
    expect(linesOf(lines)).toEqual([canonicalize(second)])
    expect(lines.firstSeq).toBe(1)
  })
})
