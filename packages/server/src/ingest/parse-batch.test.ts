import { describe, expect, it } from 'vitest'
import { unsealed } from '../test-support/records.js'
import { decodeBatch, validateBatch } from './parse-batch.js'

const ndjson = (text: string) => decodeBatch(Buffer.from(text), true)

describe('decodeBatch', () => {
  it('splits NDJSON into items: CRLF, blank lines, a trailing newline and a BOM are tolerated', () => {
    expect(ndjson('\ufeff{"a":1}\r\n\n  {"b":"é→😀"}  \n')).toEqual([{ a: 1 }, { b: 'é→😀' }])
    expect(ndjson('{"a":1}')).toEqual([{ a: 1 }])
    expect(ndjson('')).toEqual([])
    expect(ndjson('\n\n')).toEqual([])
  })

  it('keeps multi-byte characters that straddle where lines are cut', () => {
    const long = 'ü'.repeat(5000)
    const items = ndjson(`${JSON.stringify({ t: long })}\n${JSON.stringify({ t: `€${long}` })}`)
    expect(items).toEqual([{ t: long }, { t: `€${long}` }])
  })

  it('names the line and the item of the first invalid line', () => {
    expect(() => ndjson('{"a":1}\n\n{"b":')).toThrow(/line 3 is not valid JSON/)
    try {
      ndjson('{"a":1}\n\n{"b":')
    } catch (err) {
      expect((err as { path?: string }).path).toBe('[1]')
    }
  })

  it('rejects invalid UTF-8 instead of storing U+FFFD', () => {
    expect(() => decodeBatch(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), true)).toThrow(
      /not valid UTF-8/,
    )
  })

  it('reads a JSON array or a single object, with or without a BOM', () => {
    expect(decodeBatch(Buffer.from('\ufeff[{"a":1},{"a":2}]'), false)).toEqual([{ a: 1 }, { a: 2 }])
    expect(decodeBatch(Buffer.from('{"a":1}'), false)).toEqual([{ a: 1 }])
  })
})

describe('validateBatch', () => {
  it('gives the records zod gives, keys in canonical order, whether or not the client sorted them', () => {
    const record = unsealed({ metadata: { b: 1, a: { d: 1, c: 2 } }, tags: ['x'] })
    const reversed = Object.fromEntries(Object.entries(record).reverse())
    const [sorted, unsorted] = validateBatch(ndjson(`${JSON.stringify(record)}\n${JSON.stringify(reversed)}`))
    expect(JSON.stringify(unsorted)).toBe(JSON.stringify(sorted))
    expect(Object.keys(sorted!.metadata)).toEqual(['a', 'b'])
    expect(sorted!.tags).toEqual(['x'])
  })
})
