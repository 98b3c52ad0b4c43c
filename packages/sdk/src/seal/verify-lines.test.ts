import { describe, expect, it } from 'vitest'
import { canonicalize } from '../record/canonical.js'
import { toRecord } from '../record/from-input.js'
import { Chain, genesis } from './chain.js'
import { LineBuffer } from './line-buffer.js'
import { verifyLinesFast } from './verify-lines.js'

function segment(n: number) {
  const chain = new Chain(genesis('s'))
  const lines: string[] = []
  for (let i = 0; i < n; i++) {
    const rec = toRecord(
      // Unsorted and integer-like metadata keys: the seal must still write the canonical line.
      { prompt: `p${i} ü`, response: 'r', metadata: { z: 1, a: { y: 2, b: 3 }, '10': 0, '9': 1 } },
      {
        id: `01936b2e-8f3a-7c21-9b1e-4f2d8a6c0e${String(i).padStart(2, '0')}`,
        loggedAt: 0,
        hmacKey: null,
        redacted: true,
      },
    )
    const written = new LineBuffer()
    const record = chain.sealInto(rec, written)
    expect(written.bytes.toString('utf8', 0, written.length)).toBe(`${canonicalize(record)}\n`)
    lines.push(canonicalize(record))
  }
  return { lines, head: chain.head }
}

describe('verifyLinesFast', () => {
  it('proves a whole segment of intact lines', () => {
    const { lines, head } = segment(5)
    const buf = Buffer.from(`${lines.join('\n')}\n`)
    const r = verifyLinesFast(buf, genesis('s'))
    expect(r).toEqual({ head, records: 5, offset: buf.length })
  })

  it('hands back the line before the first bad one, so the careful path can blame the right record', () => {
    const { lines } = segment(5)
    lines[3] = lines[3]!.replace('"r"', '"R"')
    const buf = Buffer.from(`${lines.join('\n')}\n`)
    const r = verifyLinesFast(buf, genesis('s'))
    expect(r.records).toBe(2)
    expect(r.head.seq).toBe(1)
    expect(buf.toString('utf8', r.offset, buf.indexOf(0x0a, r.offset))).toBe(lines[2])
  })

  it('stops at a torn last line and at a wrong start', () => {
    const { lines } = segment(3)
    const torn = Buffer.from(`${lines.join('\n')}`)
    expect(verifyLinesFast(torn, genesis('s')).records).toBe(1)
    const buf = Buffer.from(`${lines.join('\n')}\n`)
    expect(verifyLinesFast(buf, { stream: 's', seq: 5, hash: '0'.repeat(64) })).toMatchObject({ records: 0, offset: 0 })
  })
})
