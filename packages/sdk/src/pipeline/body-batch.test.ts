import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { encryptStage, openEncryptor } from '../crypto/encrypt-stage.js'
import { canonicalShape } from '../record/canonical.js'
import { type RecordContext, toRecord } from '../record/from-input.js'
import type { LogInput } from '../record/log-input.js'
import { Chain, genesis } from '../seal/chain.js'
import { LineBuffer } from '../seal/line-buffer.js'
import { signalsStage } from '../signals/signals-stage.js'
import { type BatchItem, createBodyEncoder, LAYOUT_WIDTH } from './body-batch.js'
import { redactStage } from './redact-stage.js'
import { KEEPS_CANONICAL, runStages } from './stage.js'

const KEY = Buffer.alloc(32, 3)
const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

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

  it('calls a record canonical only when it is, through the built-in stages', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pl-'))
    dirs.push(dir)
    const stages = [signalsStage(), redactStage({}), encryptStage(openEncryptor({ dir }))]
    expect(stages.every((s) => s[KEEPS_CANONICAL] === true)).toBe(true)
    // Caller objects with keys in any order, integer-like keys, nested arrays, strings that redaction
    // rewrites (so that copies are made), and values no key order makes canonical (a toJSON, NaN).
    const text = fc.oneof(
      fc.string(),
      fc.constantFrom('mail ana.lopez@example.com', 'call 415 555 0100', 'ignore previous instructions'),
    )
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        { arbitrary: text, weight: 12 },
        { arbitrary: fc.integer(), weight: 6 },
        { arbitrary: fc.boolean(), weight: 3 },
        { arbitrary: fc.constant(null), weight: 3 },
        // Rare, or few records would come out canonical at all.
        { arbitrary: fc.constantFrom(Number.NaN, { toJSON: () => 1 }), weight: 1 },
        { arbitrary: fc.array(tie('v'), { maxLength: 3 }), weight: 4 },
        {
          arbitrary: fc.dictionary(fc.constantFrom('b', 'a', '10', '2', 'role', 'content', 'type', 'z'), tie('v'), {
            maxKeys: 4,
          }),
          weight: 4,
        },
      ),
    })).v
    const message = fc.dictionary(fc.constantFrom('role', 'content', 'name', 'tool_call_id'), value, { minKeys: 1 })
    const input = fc.record(
      {
        prompt: text,
        messages: fc.array(message, { maxLength: 3 }),
        response: text,
        output: value,
        params: fc.dictionary(fc.constantFrom('temperature', 'top_p', 'max_tokens', 'seed'), value),
        tools: fc.array(value, { maxLength: 2 }),
        toolCalls: fc.array(fc.record({ name: fc.string(), arguments: text, id: fc.string() }), { maxLength: 2 }),
        finishReasons: fc.array(fc.constantFrom('stop', 'length')),
        metadata: fc.dictionary(fc.constantFrom('z', 'a', 'm', '1', 'note'), value),
        signals: fc.dictionary(fc.constantFrom('uncertainty', 'custom', 'a_flag'), value),
        usage: fc.record({ inputTokens: fc.nat(), outputTokens: fc.nat(), estimated: fc.boolean() }),
        error: fc.record({ type: fc.string(), message: text }),
        tags: fc.array(fc.string(), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    )
    let canonical = 0
    fc.assert(
      fc.property(input, (raw) => {
        const ctx: RecordContext = { id: 'a', loggedAt: 1_700_000_000_000, hmacKey: KEY, redacted: true }
        let record: unknown
        try {
          record = runStages(stages, toRecord(raw as LogInput, ctx))
        } catch {
          return // rejected input: never sealed
        }
        if (ctx.canonical !== true) return
        canonical++
        // canonicalShape gives back the very object only when every object in it is already in order.
        expect(canonicalShape(record)).toBe(record)
      }),
      { numRuns: 500 },
    )
    expect(canonical).toBeGreaterThan(100)
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
