import { afterAll, describe, expect, it } from 'vitest'
import {
  CLICKHOUSE_TEST_URL,
  dropDatabases,
  freshDatabase,
  requireClickHouse,
  testClient,
} from '../../test-support/clickhouse.js'
import { sealAll, unsealed } from '../../test-support/records.js'
import { expectRollupsMatchExact } from '../../test-support/rollup-cases.js'
import { redactUrl } from '../backend-common.js'
import { runStorageCases } from '../storage.case.js'
import { openClickHouseStorage } from './clickhouse-storage.js'

const reachable = await requireClickHouse('ClickHouse storage tests')

/** A store in a database of its own. */
function fresh(database = freshDatabase()) {
  return openClickHouseStorage({ url: CLICKHOUSE_TEST_URL, database })
}

/** PostgreSQL's `percentile_cont`: the value at rank (n − 1)·p, interpolated between its neighbours. */
function percentileCont(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  const rank = (sorted.length - 1) * p
  const low = Math.floor(rank)
  const high = Math.min(low + 1, sorted.length - 1)
  return sorted[low]! + (rank - low) * (sorted[high]! - sorted[low]!)
}

describe.runIf(reachable)('ClickHouse storage', () => {
  afterAll(() => dropDatabases())

  runStorageCases('clickhouse', {
    create: () => fresh(),
    pair: async () => {
      const database = freshDatabase()
      return [await fresh(database), await fresh(database)]
    },
  })

  it('answers large selections from histograms like the exact scan (percentiles within 1 %), also after retention', async () => {
    const histograms = await openClickHouseStorage({
      url: CLICKHOUSE_TEST_URL,
      database: freshDatabase(),
      exactStatsLimit: 0,
    })
    const exact = await openClickHouseStorage({
      url: CLICKHOUSE_TEST_URL,
      database: freshDatabase(),
      exactStatsLimit: Number.POSITIVE_INFINITY,
    })
    await expectRollupsMatchExact(histograms, exact)
    await histograms.close()
    await exact.close()
  })

  it('returns each record byte for byte as sealed, and finds words inside host names and across accents', async () => {
    const storage = await fresh()
    const content = 'Ask Křenová about api.example.internal\u0000 — café 🦓 \uD800'
    const [record] = sealAll([unsealed({ request: { model: 'm\u0000x', messages: [{ role: 'user', content }] } })])
    await storage.append([record!])
    expect(await storage.get(record!.id)).toEqual(record)
    for (const q of ['krenova', 'example', 'CAFE', 'internal', 'KŘENOVÁ']) {
      expect((await storage.query({ q }, { limit: 5 })).records).toHaveLength(1)
    }
    expect((await storage.query({ q: 'exam' }, { limit: 5 })).records).toHaveLength(0)
    expect((await storage.query({ model: 'm\u0000x' }, { limit: 5 })).records).toHaveLength(1)
    await storage.close()
  })

  it('takes quotes, backslashes and lone surrogates in every value as data, never as SQL', async () => {
    const storage = await fresh()
    const odd = "it's \\' OR 1=1 -- \\0 \uDC00"
    const [record] = sealAll([unsealed({ user_id: odd, app: odd, tags: [odd], request: { model: odd } })], odd)
    expect(await storage.append([record!])).toEqual({ inserted: 1, duplicates: 0 })
    for (const filter of [{ userId: odd }, { app: odd }, { tag: odd }, { model: odd }]) {
      expect((await storage.query(filter, { limit: 5 })).records.map((r) => r.id)).toEqual([record!.id])
    }
    expect(await storage.existingIds([record!.id, "' OR 1=1 --", '\\'])).toEqual(new Set([record!.id]))
    expect(await storage.streams()).toEqual([odd.replace('\uDC00', '\uFFFD')])
    expect(await storage.head(odd)).toMatchObject({ seq: 0, hash: record!.hash })
    expect(await storage.eraseSubject(odd)).toBe(1)
    await storage.close()
  })

  it('interpolates percentiles between ranks as percentile_cont does, skipping missing values', async () => {
    const storage = await fresh()
    const latencies = [1, 2, 4, 8, 100, 3.5, 17]
    const ttfts = [5, null, 7, null, 30, 1, null]
    await storage.append(sealAll(latencies.map((latency_ms, i) => unsealed({ latency_ms, ttft_ms: ttfts[i] }))))
    const [row] = await storage.stats({}, null)
    const known = ttfts.filter((t): t is number => t !== null)
    expect(row!.latencyP50).toBeCloseTo(percentileCont(latencies, 0.5), 9)
    expect(row!.latencyP95).toBeCloseTo(percentileCont(latencies, 0.95), 9)
    expect(row!.latencyP99).toBeCloseTo(percentileCont(latencies, 0.99), 9)
    expect(row!.ttftP50).toBeCloseTo(percentileCont(known, 0.5), 9)
    expect(row!.ttftP95).toBeCloseTo(percentileCont(known, 0.95), 9)
    await storage.close()
  })

  it('lists a record stored twice by racing collectors once, and counts it once after a merge', async () => {
    const database = freshDatabase()
    const storage = await fresh(database)
    const [record] = sealAll([
      unsealed({ request: { model: 'raced', messages: [{ role: 'user', content: 'twice' }] } }),
    ])
    await storage.append([record!])
    // The other collector's INSERT, after both found the id absent: the same row written again, bypassing the check.
    const client = testClient()
    try {
      const copy = await client.query({ query: `SELECT * FROM \`${database}\`.records`, format: 'JSONEachRow' })
      await client.insert({ table: `\`${database}\`.records`, values: await copy.json(), format: 'JSONEachRow' })
      expect((await storage.query({}, { limit: 10 })).records.map((r) => r.id)).toEqual([record!.id])
      expect((await storage.query({ q: 'twice' }, { limit: 10 })).records).toHaveLength(1)
      expect(await storage.get(record!.id)).toEqual(record)
      const scanned = []
      for await (const r of storage.scanStream(record!.stream)) scanned.push(r.id)
      expect(scanned).toEqual([record!.id])
      await client.command({ query: `OPTIMIZE TABLE \`${database}\`.records FINAL` })
      expect((await storage.stats({ model: 'raced' }, null))[0]).toMatchObject({ count: 1 })
    } finally {
      await client.close()
      await storage.close()
    }
  })

  it('answers a deletion and an erasure only once ClickHouse has applied their mutations', async () => {
    const database = freshDatabase()
    const storage = await fresh(database)
    const client = testClient()
    const mutations = async () => {
      const result = await client.query({
        query: `SELECT is_done FROM system.mutations WHERE database = '${database}'`,
        format: 'JSONEachRow',
      })
      return (await result.json<{ is_done: number }>()).map((m) => Number(m.is_done))
    }
    try {
      await storage.append(sealAll([unsealed({ ts: '2026-01-01T00:00:00.000Z', user_id: 'ana' }), unsealed()]))
      expect(await storage.eraseSubject('ana')).toBe(1)
      expect(await mutations()).toEqual([1])
      expect(await storage.eraseSubject('ana')).toBe(1)
      // Nothing left to rewrite: the second erasure queues no mutation.
      expect(await mutations()).toEqual([1])
      expect(await storage.deleteBefore('2026-01-02T00:00:00.000Z')).toBe(1)
      expect(await mutations()).toEqual([1, 1, 1])
    } finally {
      await client.close()
      await storage.close()
    }
  })

  it("keeps a stream's head when retention deletes all its records, so its chain continues", async () => {
    const storage = await fresh()
    const records = sealAll([
      unsealed({ ts: '2026-01-01T00:00:00.000Z' }),
      unsealed({ ts: '2026-01-02T00:00:00.000Z' }),
    ])
    await storage.append(records)
    expect(await storage.deleteBefore('2026-02-01T00:00:00.000Z')).toBe(2)
    expect(await storage.get(records[0]!.id)).toBeNull()
    expect(await storage.existingIds(records.map((r) => r.id))).toEqual(new Set())
    expect(await storage.head(records[1]!.stream)).toEqual({
      stream: records[1]!.stream,
      seq: 1,
      hash: records[1]!.hash,
    })
    expect(await storage.streams()).toEqual([records[1]!.stream])
    await storage.close()
  })

  it('refuses a malformed cursor and time with 400-class errors naming the field', async () => {
    const storage = await fresh()
    await expect(storage.query({}, { limit: 1, cursor: 'not-a-cursor' })).rejects.toMatchObject({ path: 'cursor' })
    await expect(storage.query({ from: 'yesterday' }, { limit: 1 })).rejects.toMatchObject({ path: 'from' })
    await expect(storage.stats({ to: 'later' }, null)).rejects.toMatchObject({ code: 'BAD_REQUEST', path: 'to' })
    await expect(storage.deleteBefore('soon')).rejects.toMatchObject({ path: 'ts' })
    await storage.close()
    await expect(storage.get('x')).rejects.toMatchObject({ code: 'STORAGE_ERROR', message: 'the store is closed' })
  })

  it('names an unreachable server without its password, and refuses a URL that names more than the server', async () => {
    const url = 'clickhouse+http://app:hunter2secret@127.0.0.1:1'
    const failed = await openClickHouseStorage({ url }).catch((err: Error) => err)
    expect(failed).toMatchObject({ code: 'STORAGE_ERROR' })
    expect((failed as Error).message).toContain('127.0.0.1:1')
    expect((failed as Error).message).not.toContain('hunter2secret')
    expect(redactUrl(url)).toBe('clickhouse+http://app:***@127.0.0.1:1')
    const withPath = await openClickHouseStorage({ url: 'clickhouse+http://app:pw@127.0.0.1:8123/ledger' }).catch(
      (err: Error) => err,
    )
    expect(withPath).toMatchObject({ code: 'CONFIG_INVALID' })
    expect((withPath as Error).message).not.toContain(':pw@')
  })
})
