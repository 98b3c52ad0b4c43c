import { describe, expect, it } from 'vitest'
import { ChunkedScanner, dechunk } from './chunked-scan.js'

const BODY = '5;ext=1\r\nhello\r\n1a\r\n, a chunk of 26 bytes.....\r\n0\r\nX-Trailer: t\r\n\r\n'

describe('ChunkedScanner', () => {
  it('finds the end of the body wherever the reads split it', () => {
    const bytes = Buffer.from(`${BODY}NEXT`)
    for (let cut = 0; cut <= BODY.length; cut++) {
      const s = new ChunkedScanner()
      const first = s.scan(bytes.subarray(0, cut), 0)
      const end = first >= 0 ? first : cut + s.scan(bytes.subarray(cut), 0)
      expect(end, `cut at ${cut}`).toBe(BODY.length)
    }
  })

  it('scans from an offset and goes on across reads', () => {
    const s = new ChunkedScanner()
    expect(s.scan(Buffer.from('HEAD3\r\nabc\r\n'), 4)).toBe(-1)
    expect(s.scan(Buffer.from('0\r\n\r\n'), 0)).toBe(5)
  })

  it.each([
    ['a size that is not hex', 'zz\r\n'],
    ['no size', '\r\n'],
    ['data longer than its size', '3\r\nabcd\r\n'],
    ['a bare LF after the size', '3\nabc\r\n'],
    ['a huge size', 'fffffffffffff\r\n'],
  ])('refuses %s', (_name, text) => {
    expect(new ChunkedScanner().scan(Buffer.from(text), 0)).toBe(-2)
  })
})

describe('dechunk', () => {
  it('returns the payload, and what arrived of a cut body', () => {
    expect(dechunk(Buffer.from(BODY)).toString()).toBe('hello, a chunk of 26 bytes.....')
    expect(dechunk(Buffer.from('5\r\nhello\r\n6\r\n, wor')).toString()).toBe('hello, wor')
  })
})
