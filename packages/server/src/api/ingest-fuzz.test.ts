import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { unsealed } from '../test-support/records.js'
import { postRecords, type TestApp, testApp } from '../test-support/test-app.js'

let t: TestApp
beforeAll(async () => {
  t = await testApp({ bodyLimit: 512 * 1024 })
})
afterAll(async () => t.close())

const stored = async () => (await t.storage.stats({}, null))[0]?.count ?? 0

/** A valid record with one field replaced by something hostile. */
const corrupted = fc
  .record({
    field: fc.constantFrom('v', 'id', 'ts', 'request', 'status', 'tags', 'usage', 'latency_ms', 'operation', 'user_id'),
    value: fc.oneof(
      fc.anything(),
      fc.string({ minLength: 2000, maxLength: 5000 }),
      fc.constant(-1),
      fc.constant(null),
      fc.letrec((tie) => ({ node: fc.oneof({ depthSize: 'small' }, fc.constant(1), fc.array(tie('node'))) })).node,
    ),
  })
  .map(({ field, value }) => ({ ...unsealed(), [field]: value }))

const body = fc.oneof(
  fc.string().map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v))),
  fc.array(corrupted, { minLength: 1, maxLength: 4 }).map((rs) => Buffer.from(JSON.stringify([unsealed(), ...rs]))),
  fc.integer({ min: 1, max: 3000 }).map((d) => Buffer.from('['.repeat(d) + ']'.repeat(d))),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => {
    const good = Buffer.from(JSON.stringify([unsealed()]))
    return Buffer.concat([good.subarray(0, 40), Buffer.from([0xc3, 0x28]), Buffer.from(b), good.subarray(40)])
  }),
)

describe('POST /v1/records fuzz', () => {
  it('never crashes, answers 4xx, stores nothing from a rejected batch', async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('application/json', 'application/x-ndjson'), async (payload, type) => {
        const before = await stored()
        const res = await postRecords(t.app, payload, type)
        if (res.statusCode === 200) return // e.g. a lone valid object; nothing to assert
        expect(res.statusCode).toBeGreaterThanOrEqual(400)
        expect(res.statusCode).toBeLessThan(500)
        expect(res.json().error.code).toMatch(/^[A-Z_]+$/)
        expect(await stored()).toBe(before)
      }),
      { numRuns: 300, seed: 4242 },
    )
  })

  it('duplicate ids in one batch and across retries are stored once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), async (unique, copies) => {
        const records = Array.from({ length: unique }, () => unsealed())
        const batch = records.flatMap((r) => Array.from({ length: copies }, () => r))
        const before = await stored()
        const first = await postRecords(t.app, batch)
        const retry = await postRecords(t.app, batch)
        expect(first.json().accepted).toBe(unique)
        expect(retry.json().accepted).toBe(0)
        expect(await stored()).toBe(before + unique)
      }),
      { numRuns: 30, seed: 7 },
    )
  })
})
