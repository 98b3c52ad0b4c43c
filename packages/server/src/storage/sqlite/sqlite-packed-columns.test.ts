import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { RecordColumns } from '../record-columns.js'
import { packColumns, unpackColumns } from './sqlite-packed-columns.js'

const text = fc.option(fc.string({ unit: 'grapheme', maxLength: 40 }), { nil: null })
const num = fc.option(fc.double({ noNaN: true }), { nil: null })
const columns: fc.Arbitrary<RecordColumns> = fc.record({
  id: fc.uuid(),
  ts: fc.integer({ min: -1e13, max: 1e13 }),
  stream: fc.constant('collector-a'),
  seq: fc.constant(-1),
  model: text,
  provider: text,
  user_id: text,
  session_id: text,
  app: text,
  status: fc.constantFrom('ok', 'error'),
  latency: num,
  ttft: num,
  input_tokens: fc.option(fc.nat(), { nil: null }),
  output_tokens: fc.option(fc.nat(), { nil: null }),
  cost: num,
  response_chars: fc.option(fc.nat(), { nil: null }),
  uncertain: fc.constantFrom(0, 1),
  pii_in_response: fc.nat(),
  injection_score: num,
})

describe('packColumns', () => {
  it('unpacks to the same columns and tags (seq is the writer’s to set)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(columns, fc.array(fc.string(), { maxLength: 3 })), { maxLength: 20 }), (rows) => {
        const packed = packColumns(
          rows.map(([c]) => c),
          rows.map(([, t]) => t),
        )
        // Through a structured clone, as the message to the writer thread carries it.
        const { columns: back, tags } = unpackColumns(structuredClone(packed))
        expect(back).toEqual(rows.map(([c]) => c))
        expect(tags).toEqual(rows.map(([, t]) => t))
      }),
      { numRuns: 300 },
    )
  })
})
