import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toRecord } from '../record/from-input.js'
import { Chain, genesis } from '../seal/chain.js'
import { LineBuffer } from '../seal/line-buffer.js'
import { type BatchItem, createBodyEncoder, LAYOUT_WIDTH } from './body-batch.js'

const KEY = Buffer.alloc(32, 3)

describe('createBodyEncoder + Chain.sealBodyInto', () => {
  it('writes the same lines as sealing the records in-thread, for any text', () => {
    const { encode } = createBodyEncoder({ stream: 's', hmacKey: KEY, redacted: false, stages: [] })
    const text = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }))
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            prompt: text,
            response: text,
            // Keys that look like the chain's members must not move the placeholders.
            metadata: fc.dictionary(fc.constantFrom('seq', 'prev_hash', 'id', 'hash', 'x'), fc.jsonValue()),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.nat(5000),
        (inputs, start) => {
          const items: BatchItem[] = inputs.map((input, i) => ({
            id: `01936b2e-8f3a-7c21-9b1e-4f2d8a6c0${100 + i}`,
            input,
            loggedAt: 1_700_000_000_000 + i,
          }))
          const head = { ...genesis('s'), seq: start - 1 }
          const expected = new LineBuffer(16)
          const chain = new Chain(head)
          for (const item of items) {
            chain.sealInto(
              toRecord(item.input, { id: item.id, loggedAt: item.loggedAt, hmacKey: KEY, redacted: false }),
              expected,
            )
          }
          const { bytes, layout } = encode(items)
          const got = new LineBuffer(16)
          const patched = new Chain(head)
          for (let i = 0; i < items.length; i++) {
            const o = i * LAYOUT_WIDTH
            if (layout[o + 1]! < 0) {
              // No fast path for this record (e.g. object keys no native stringify orders): the ledger
              // builds it in-thread, as here.
              const item = items[i]!
              patched.sealInto(
                toRecord(item.input, { id: item.id, loggedAt: item.loggedAt, hmacKey: KEY, redacted: false }),
                got,
              )
              continue
            }
            const offsets = { idAt: layout[o + 2]!, prevAt: layout[o + 3]!, seqAt: layout[o + 4]! }
            patched.sealBodyInto(bytes, layout[o]!, layout[o + 1]!, offsets, got)
          }
          expect(got.bytes.toString('utf8', 0, got.length)).toBe(expected.bytes.toString('utf8', 0, expected.length))
          expect(got.hashes).toEqual(expected.hashes)
          expect(patched.head).toEqual(chain.head)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('encodes ordinary records itself', () => {
    const { encode } = createBodyEncoder({ stream: 's', hmacKey: KEY, redacted: false, stages: [] })
    const { layout } = encode([
      { id: 'a', input: { prompt: 'héllo 👋', metadata: { seq: 1, prev_hash: 'x' } }, loggedAt: 1 },
    ])
    expect(layout[1]).toBeGreaterThan(0)
  })

  it('writes a later batch into the buffer of a sealed one it was given back', () => {
    const encoder = createBodyEncoder({ stream: 's', hmacKey: KEY, redacted: false, stages: [] })
    const items = (n: number): BatchItem[] =>
      Array.from({ length: n }, (_, i) => ({
        id: `01936b2e-8f3a-7c21-9b1e-4f2d8a6c0${100 + i}`,
        input: { prompt: `p${n}-${i}`, response: 'r'.repeat(i) },
        loggedAt: 1_700_000_000_000 + i,
      }))
    const text = ({ bytes, layout }: { bytes: Uint8Array; layout: Int32Array }) =>
      Buffer.from(bytes.buffer, bytes.byteOffset + layout[0]!, layout[1]!).toString('utf8')
    const first = encoder.encode(items(3))
    const firstText = text(first)
    encoder.recycle(first.bytes.buffer as ArrayBuffer)
    const second = encoder.encode(items(5))
    expect(second.bytes.buffer).toBe(first.bytes.buffer)
    expect(text(second)).not.toBe(firstText)
    // The same batch into fresh memory encodes the same bytes.
    const fresh = createBodyEncoder({ stream: 's', hmacKey: KEY, redacted: false, stages: [] }).encode(items(5))
    expect(Buffer.from(second.bytes)).toEqual(Buffer.from(fresh.bytes))
    expect(second.layout).toEqual(fresh.layout)
  })

  it('sends back an item that cannot be built, for the ledger to build and report', () => {
    const { encode } = createBodyEncoder({ stream: 's', hmacKey: KEY, redacted: false, stages: [] })
    const { layout } = encode([{ id: 'a', input: null as never, loggedAt: 1 }])
    expect(layout[1]).toBe(-1)
  })
})
