import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sealAll, unsealed } from '../test-support/records.js'
import type { RecordFilter, Storage } from './storage.js'

/** What a backend's test file passes in: a fresh, empty store per case. */
export interface StorageCaseOptions {
  create(): Promise<Storage>
  /** Two stores over one fresh place (a file, a schema, a database): what a store keeps across a reopen. */
  pair?(): Promise<[Storage, Storage]>
}

/** Every record of a filter's pages of `limit`, checking they come newest first; their ids in page order. */
async function pageAll(storage: Storage, filter: RecordFilter, limit: number): Promise<string[]> {
  const seen: string[] = []
  let cursor: string | undefined
  let lastTs = Number.POSITIVE_INFINITY
  do {
    const page = await storage.query(filter, { limit, ...(cursor ? { cursor } : {}) })
    for (const r of page.records) {
      expect(Date.parse(r.ts)).toBeLessThanOrEqual(lastTs)
      lastTs = Date.parse(r.ts)
      seen.push(r.id)
    }
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  return seen
}

const T0 = Date.parse('2026-01-01T00:00:00.000Z')
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString()

/**
 * The behaviour every `Storage` backend must have. A backend's `*.test.ts` calls this with its factory.
 *
 * @example
 * runStorageCases('sqlite', { create: async () => openSqliteStorage({ path: ':memory:' }) })
 */
export function runStorageCases(name: string, options: StorageCaseOptions): void {
  describe(`Storage case suite: ${name}`, () => {
    let storage: Storage
    beforeEach(async () => {
      storage = await options.create()
    })
    afterEach(async () => {
      await storage.close()
    })

    it('stores a batch and returns each record unchanged by id', async () => {
      const records = sealAll([unsealed({ ts: at(0), tags: ['a', 'b'], metadata: { k: 'v' } }), unsealed()])
      expect(await storage.append(records)).toEqual({ inserted: 2, duplicates: 0 })
      expect(await storage.get(records[0]!.id)).toEqual(records[0])
      expect(await storage.get('00000000-0000-7000-8000-000000000000')).toBeNull()
    })

    it('skips duplicate ids within a batch and across batches', async () => {
      const [a, b] = sealAll([unsealed(), unsealed()])
      expect(await storage.append([a!, a!])).toEqual({ inserted: 1, duplicates: 1 })
      expect(await storage.append([a!, b!])).toEqual({ inserted: 1, duplicates: 1 })
      expect(await storage.existingIds([a!.id, b!.id, 'nope'])).toEqual(new Set([a!.id, b!.id]))
      expect((await storage.query({}, { limit: 10 })).records).toHaveLength(2)
    })

    it('pages newest first with a cursor, each record exactly once', async () => {
      const records = sealAll(Array.from({ length: 25 }, (_, i) => unsealed({ ts: at(i % 7) })))
      await storage.append(records)
      const seen = await pageAll(storage, {}, 4)
      expect(seen.sort()).toEqual(records.map((r) => r.id).sort())
    })

    it('pages a full-text search newest first across weeks, each match exactly once, within a window too', async () => {
      const day = 24 * 60
      const said = (i: number) => ({ model: 'm', messages: [{ role: 'user', content: i % 3 ? 'plain' : 'heron' }] })
      // 40 records over 40 days, one in three saying the word; seconds apart within a day, so ties in time are rare.
      const records = sealAll(Array.from({ length: 40 }, (_, i) => unsealed({ ts: at(i * day + i), request: said(i) })))
      await storage.append(records)
      const pages = (filter: RecordFilter) => pageAll(storage, filter, 3)
      const matching = records.filter((_, i) => i % 3 === 0)
      expect(await pages({ q: 'heron' })).toEqual(matching.map((r) => r.id).reverse())
      const window = { q: 'heron', from: at(10 * day), to: at(30 * day) }
      const inWindow = matching.filter((r) => r.ts >= window.from && r.ts < window.to)
      expect(await pages(window)).toEqual(inWindow.map((r) => r.id).reverse())
    })

    it('filters by every field', async () => {
      const records = sealAll([
        unsealed({ ts: at(1), provider: 'openai', request: { model: 'gpt-4o' }, user_id: 'ana', tags: ['x'] }),
        unsealed({ ts: at(2), provider: 'anthropic', request: { model: 'claude' }, user_id: 'bo', app: 'api' }),
        unsealed({ ts: at(3), status: 'error', error: { type: 'rate', message: 'slow down' }, session_id: 's9' }),
      ])
      await storage.append(records)
      const ids = async (filter: Parameters<Storage['query']>[0]) =>
        (await storage.query(filter, { limit: 50 })).records.map((r) => r.id)
      const [a, b, c] = records.map((r) => r.id)
      expect(await ids({ model: 'claude' })).toEqual([b])
      expect(await ids({ provider: 'anthropic' })).toEqual([b])
      expect(await ids({ userId: 'ana' })).toEqual([a])
      expect(await ids({ sessionId: 's9' })).toEqual([c])
      expect(await ids({ status: 'error' })).toEqual([c])
      expect(await ids({ tag: 'x' })).toEqual([a])
      expect(await ids({ app: 'api' })).toEqual([b])
      expect(await ids({ from: at(2) })).toEqual([c, b])
      expect(await ids({ to: at(2) })).toEqual([a])
      expect(await ids({ from: at(2), to: at(3), provider: 'anthropic' })).toEqual([b])
      expect(await ids({ model: 'none' })).toEqual([])
    })

    it('searches redacted content with q, treating syntax as plain words', async () => {
      const records = sealAll([
        unsealed({ ts: at(1), request: { model: 'm', messages: [{ role: 'user', content: 'refund my order' }] } }),
        unsealed({ ts: at(2), response: { output: [{ role: 'assistant', content: 'your refund is approved' }] } }),
        unsealed({ ts: at(3), status: 'error', error: { type: 'x', message: 'upstream timeout' } }),
      ])
      await storage.append(records)
      const q = async (text: string, extra = {}) =>
        (await storage.query({ q: text, ...extra }, { limit: 50 })).records.map((r) => r.id)
      expect(await q('refund')).toEqual([records[1]!.id, records[0]!.id])
      expect(await q('refund approved')).toEqual([records[1]!.id])
      expect(await q('timeout')).toEqual([records[2]!.id])
      expect(await q('refund', { from: at(2) })).toEqual([records[1]!.id])
      expect(await q('"refund" AND (NEAR')).toEqual([])
      expect(await q('*** ')).toEqual([])
      const paged = await storage.query({ q: 'refund' }, { limit: 1 })
      const rest = await storage.query({ q: 'refund' }, { limit: 1, cursor: paged.nextCursor! })
      expect([...paged.records, ...rest.records].map((r) => r.id)).toEqual([records[1]!.id, records[0]!.id])
    })

    it('aggregates stats per group', async () => {
      const rows = Array.from({ length: 100 }, (_, i) =>
        unsealed({
          ts: at(i < 50 ? 0 : 61),
          request: { model: i % 2 ? 'b' : 'a' },
          latency_ms: i + 1,
          ttft_ms: i % 2 ? null : 10,
          status: i % 10 === 0 ? 'error' : 'ok',
          usage: { input_tokens: 2, output_tokens: 3 },
          cost_usd: 0.5,
          response: { output: 'x'.repeat(10) },
          signals: {
            uncertainty: i < 3,
            pii_in_response: i === 4 ? { EMAIL_ADDRESS: 1 } : {},
            injection_score: i / 100,
          },
        }),
      )
      await storage.append(sealAll(rows))
      const all = await storage.stats({}, null)
      expect(all).toHaveLength(1)
      expect(all[0]).toMatchObject({ key: null, count: 100, errors: 10, errorRate: 0.1, inputTokens: 200 })
      expect(all[0]!.latencyP50).toBeCloseTo(50.5, 0)
      expect(all[0]!.latencyP95).toBeGreaterThanOrEqual(94)
      expect(all[0]!.latencyP99).toBeGreaterThanOrEqual(98)
      expect(all[0]).toMatchObject({ outputTokens: 300, costUsd: 50, pricedCount: 100, avgResponseChars: 10 })
      expect(all[0]).toMatchObject({ uncertain: 3, piiLeaks: 1 })
      expect(all[0]!.injectionMax).toBeCloseTo(0.99)
      expect(all[0]!.ttftP50).toBe(10)
      const byModel = await storage.stats({}, 'model')
      expect(byModel.map((r) => [r.key, r.count, r.errors])).toEqual([
        ['a', 50, 10],
        ['b', 50, 0],
      ])
      expect(byModel[1]!.ttftP95).toBeNull()
      const byHour = await storage.stats({}, 'hour')
      expect(byHour.map((r) => [r.key, r.count])).toEqual([
        ['2026-01-01T00:00:00.000Z', 50],
        ['2026-01-01T01:00:00.000Z', 50],
      ])
      expect((await storage.stats({}, 'day')).map((r) => r.key)).toEqual(['2026-01-01T00:00:00.000Z'])
      expect((await storage.stats({ from: at(60) }, 'status')).map((r) => [r.key, r.count])).toEqual([
        ['ok', 45],
        ['error', 5],
      ])
      expect(await storage.stats({ model: 'nothing' }, null)).toEqual([])
    })

    it('tells an unpriced group (cost unknown) from a free one, and counts the priced records', async () => {
      const row = (model: string, cost_usd: number | null) => unsealed({ request: { model }, cost_usd })
      await storage.append(
        sealAll([row('local', null), row('local', null), row('free', 0), row('mixed', 0.25), row('mixed', null)]),
      )
      const byModel = new Map((await storage.stats({}, 'model')).map((r) => [r.key, r]))
      expect(byModel.get('local')).toMatchObject({ count: 2, costUsd: null, pricedCount: 0 })
      expect(byModel.get('free')).toMatchObject({ count: 1, costUsd: 0, pricedCount: 1 })
      expect(byModel.get('mixed')).toMatchObject({ count: 2, costUsd: 0.25, pricedCount: 1 })
      expect((await storage.stats({ model: 'local' }, null))[0]).toMatchObject({ costUsd: null, pricedCount: 0 })
    })

    it('keeps stream heads and scans a stream in seq order', async () => {
      const records = sealAll(
        Array.from({ length: 7 }, () => unsealed()),
        's1',
      )
      expect(await storage.head('s1')).toBeNull()
      await storage.append(records.slice(0, 4))
      await storage.append(records.slice(4))
      await storage.append(sealAll([unsealed()], 's2'))
      expect(await storage.head('s1')).toEqual({ stream: 's1', seq: 6, hash: records[6]!.hash })
      expect(await storage.streams()).toEqual(['s1', 's2'])
      const scanned = []
      for await (const r of storage.scanStream('s1')) scanned.push(r.seq)
      expect(scanned).toEqual([0, 1, 2, 3, 4, 5, 6])
      const tail = []
      for await (const r of storage.scanStream('s1', 5)) tail.push(r.seq)
      expect(tail).toEqual([5, 6])
    })

    it('deletes records older than a time', async () => {
      await storage.append(sealAll([unsealed({ ts: at(0) }), unsealed({ ts: at(5) }), unsealed({ ts: at(10) })]))
      expect(await storage.deleteBefore(at(6))).toBe(2)
      expect((await storage.query({}, { limit: 10 })).records.map((r) => r.ts)).toEqual([at(10)])
    })

    it('erases a subject from the search index', async () => {
      const content = (c: string) => ({ model: 'm', messages: [{ role: 'user', content: c }] })
      await storage.append(
        sealAll([
          unsealed({ user_id: 'gone', request: content('secret plan') }),
          unsealed({ user_id: 'stay', request: content('secret plan') }),
        ]),
      )
      expect(await storage.eraseSubject('gone')).toBe(1)
      const found = await storage.query({ q: 'secret' }, { limit: 10 })
      expect(found.records.map((r) => r.user_id)).toEqual(['stay'])
    })

    // Only for a backend that can open two stores over one place (not an in-memory one).
    const pair = options.pair
    if (pair)
      it('keeps records, heads and search across a reopen, and two stores over one place open together', async () => {
        const [a, b] = await pair()
        const content = { model: 'm', messages: [{ role: 'user', content: 'zebra crossing' }] }
        const records = sealAll([unsealed({ request: content })])
        await a.append(records)
        await a.close()
        expect(await b.head(records[0]!.stream)).toMatchObject({ seq: 0, hash: records[0]!.hash })
        expect((await b.query({ q: 'zebra' }, { limit: 5 })).records.map((r) => r.id)).toEqual([records[0]!.id])
        await b.close()
      })
  })
}
