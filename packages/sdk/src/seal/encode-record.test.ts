import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalize } from '../record/canonical.js'
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
})
