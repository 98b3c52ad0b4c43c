import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalize, canonicalJson } from './canonical.js'

/** JSON values whose objects hold their keys in any order, with keys engines treat specially. */
const unsortedJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 0 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc
      .array(
        fc.tuple(fc.oneof(fc.string(), fc.constantFrom('__proto__', '1', '01', 'role', 'content')), tie('value')),
        {
          maxLength: 5,
        },
      )
      .map((entries) => {
        const out: Record<string, unknown> = {}
        for (const [key, item] of entries)
          Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true })
        return out
      }),
  ),
})).value

describe('canonicalJson', () => {
  it('equals the general RFC 8785 encoder on any JSON value, keys in any order', () => {
    fc.assert(
      fc.property(unsortedJson, (v) => canonicalJson(v) === canonicalize(v)),
      { numRuns: 2000 },
    )
  })

  it('sorts chat messages written role first', () => {
    expect(canonicalJson([{ role: 'user', content: 'hi' }])).toBe('[{"content":"hi","role":"user"}]')
  })

  it('encodes what the native stringify cannot shape as the general encoder does, or throws as it does', () => {
    const withToJson = { b: 1, a: { toJSON: () => ({ z: 1, y: 2 }) } }
    expect(canonicalJson(withToJson)).toBe(canonicalize(withToJson))
    expect(canonicalJson(undefined)).toBe('null')
    expect(() => canonicalJson({ b: Number.NaN })).toThrow(/non-finite/)
    expect(() => canonicalJson([1n])).toThrow(/bigint/)
  })
})
