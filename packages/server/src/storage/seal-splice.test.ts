import { Chain, type ChainHead, type UnsealedRecord, unsealedRecordSchema } from '@promptledger/sdk'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkRecord } from '../ingest/record-check.js'
import { SealEncoder } from '../ingest/seal-encoder.js'
import { unsealed } from '../test-support/records.js'
import { spliceSeal } from './seal-splice.js'

/** What ingest validates an item into (the hand-written check, else zod), or null when it is rejected. */
function validated(item: unknown): UnsealedRecord | null {
  const fast = checkRecord(item)
  if (fast !== null) return fast
  const slow = unsealedRecordSchema.safeParse(item)
  return slow.success ? (slow.data as UnsealedRecord) : null
}

/** The outcome of sealing each record after `head`: its line, or the error the seal raised. */
type Outcome = { line: string; hash: string } | { error: true }

function bySdk(records: UnsealedRecord[], head: ChainHead): Outcome[] {
  const chain = new Chain(head)
  return records.map((r) => {
    try {
      const { record, line } = chain.sealEncoded(structuredClone(r))
      return { line, hash: record.hash }
    } catch {
      return { error: true }
    }
  })
}

function bySplice(records: UnsealedRecord[], head: ChainHead): Outcome[] {
  const encoder = new SealEncoder(head.stream)
  const batch = encoder.batch(records.length)
  let seq = head.seq
  let prev = head.hash
  return records.map((r, i) => {
    try {
      encoder.encode(structuredClone(r), batch, i)
    } catch {
      return { error: true }
    }
    const sealed = spliceSeal(batch.bodies[i]!, batch.layout, i, ++seq, prev)
    prev = sealed.hash
    return sealed
  })
}

const content = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('"hash":"x"', ',"id":"', '"seq":1', '\u2028\\"\n', '🙂é'),
)
const json = fc.jsonValue({ maxDepth: 3 })

/** Records over much of the schema: arbitrary content, metadata, outputs, tags and optional members. */
const records = fc
  .record({
    user: content,
    output: fc.oneof(content, json),
    input: fc.option(json, { nil: undefined }),
    metadata: fc.dictionary(fc.string(), json, { maxKeys: 4 }),
    tags: fc.array(fc.string({ maxLength: 20 }), { maxLength: 4 }),
    app: fc.option(fc.string({ maxLength: 30 }), { nil: null }),
    cost: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: null }),
    error: fc.boolean(),
  })
  .map(({ user, output, input, metadata, tags, app, cost, error }) =>
    // Through JSON, as a request body is: then validated as ingest validates it.
    JSON.parse(
      JSON.stringify(
        unsealed({
          request: {
            model: 'gpt-4o',
            messages: [{ role: 'user', content: user }],
            ...(input === undefined ? {} : { input }),
          },
          response: { model: null, output, finish_reasons: ['stop'] },
          metadata,
          tags,
          app,
          cost_usd: cost,
          ...(error ? { status: 'error', error: { type: 't', message: user, http_status: 500 } } : {}),
        }),
      ),
    ),
  )
  .map(validated)
  .filter((r): r is UnsealedRecord => r !== null)

const heads = fc.record({
  stream: fc.constantFrom('collector-a', 'ç-stream "quoted"'),
  seq: fc.constantFrom(-1, 8, 98, 123_456_788, 2 ** 40),
  hash: fc.stringMatching(/^[0-9a-f]{64}$/),
})

describe('spliceSeal', () => {
  it('seals exactly as Chain.sealEncoded: same lines, same hashes, across seq widths', () => {
    fc.assert(
      fc.property(fc.array(records, { minLength: 1, maxLength: 5 }), heads, (batch, head) => {
        expect(bySplice(batch, head)).toEqual(bySdk(batch, head))
      }),
      { numRuns: 400 },
    )
  })

  it('refuses what the seal refuses (a value the canonical encoding cannot hold)', () => {
    const bad = validated({ ...unsealed(), metadata: { n: Number.NaN } })!
    const head = { stream: 's', seq: -1, hash: '0'.repeat(64) }
    expect(bySplice([bad], head)).toEqual([{ error: true }])
    expect(bySdk([bad], head)).toEqual([{ error: true }])
  })
})
