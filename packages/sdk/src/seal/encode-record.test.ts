import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalize } from '../record/canonical.js'
import { toRecord } from '../record/from-input.js'
import { Chain, genesis } from './chain.js'
import { encodeRecord, encodeValue, lineMatchesHash } from './encode-record.js'

describe('encodeRecord', () => {
  it('equals RFC 8785 canonicalization of any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => encodeValue(v) === canonicalize(v)))
  })

  it('line is the canonical record and its hash matches the line', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (metadata, app) => {
        const rec = { app, metadata, seq: 3, prev_hash: '0'.repeat(64), v: 1, odd: { b: 1, a: 2 } } as never
        const { hash, line } = encodeRecord(rec)
        expect(line).toBe(canonicalize({ ...(rec as object), hash }))
        expect(lineMatchesHash(line, hash)).toBe(true)
      }),
      { numRuns: 200 },
    )
  })

  it('seals records built by toRecord to their canonical line (single-stringify path)', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.option(fc.string()),
        (prompt, metadata, user) => {
          const chain = new Chain(genesis('s'))
          const id = '01936b2e-8f3a-7c21-9b1e-4f2d8a6c0e11'
          const rec = toRecord(
            { prompt, metadata, userId: user, error: user ? { message: `"id":"${id}"` } : null },
            { id, loggedAt: 0, hmacKey: null, redacted: true },
          )
          const { record, line } = chain.sealEncoded(rec)
          expect(line).toBe(canonicalize(record))
          const { hash: _h, ...body } = record
          expect(record.hash).toBe(createHash('sha256').update(canonicalize(body)).digest('hex'))
        },
      ),
      { numRuns: 200 },
    )
  })
})
