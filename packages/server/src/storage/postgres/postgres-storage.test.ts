import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { dropSchemas, freshSchema, POSTGRES_TEST_URL, requirePostgres } from '../../test-support/postgres.js'
import { sealAll, unsealed } from '../../test-support/records.js'
import { dataset, expectRollupsMatchExact } from '../../test-support/rollup-cases.js'
import { redactUrl } from '../backend-common.js'
import { runStorageCases } from '../storage.case.js'
import { openPostgresStorage } from './postgres-storage.js'

const reachable = await requirePostgres('PostgreSQL storage tests')

describe.runIf(reachable)('PostgreSQL storage', () => {
  afterAll(() => dropSchemas())

  const open = (schema: string) => openPostgresStorage({ url: POSTGRES_TEST_URL, schema })
  runStorageCases('postgres', {
    create: () => open(freshSchema()),
    pair: async () => {
      const schema = freshSchema()
      return [await open(schema), await open(schema)]
    },
  })

  it('returns each record byte for byte as sealed, and finds words inside host names and across accents', async () => {
    const storage = await openPostgresStorage({ url: POSTGRES_TEST_URL, schema: freshSchema() })
    const content = 'Ask Křenová about api.example.internal\u0000 — café'
    const [record] = sealAll([unsealed({ request: { model: 'm\u0000x', messages: [{ role: 'user', content }] } })])
    await storage.append([record!])
    expect(await storage.get(record!.id)).toEqual(record)
    // A word too long to index (a base64 blob) stores like any other; the record is found by its other words.
    const [blob] = sealAll(
      [unsealed({ request: { model: 'm', messages: [{ role: 'user', content: `ibis ${'Qk'.repeat(2000)}` }] } })],
      'blobs',
    )
    await storage.append([blob!])
    expect((await storage.query({ q: 'ibis' }, { limit: 5 })).records.map((r) => r.id)).toEqual([blob!.id])
    for (const q of ['krenova', 'example', 'CAFE', 'internal']) {
      expect((await storage.query({ q }, { limit: 5 })).records).toHaveLength(1)
    }
    await storage.close()
  })

  it('answers stats from rollups like the exact scan, across batches and after retention', async () => {
    const rolled = await openPostgresStorage({ url: POSTGRES_TEST_URL, schema: freshSchema(), exactStatsLimit: 0 })
    const exact = await openPostgresStorage({
      url: POSTGRES_TEST_URL,
      schema: freshSchema(),
      exactStatsLimit: Number.POSITIVE_INFINITY,
    })
    await expectRollupsMatchExact(rolled, exact)
    await rolled.close()
    await exact.close()
  })

  it('keeps every count when two stores append to one schema at once', async () => {
    const schema = freshSchema()
    const [a, b] = await Promise.all([
      openPostgresStorage({ url: POSTGRES_TEST_URL, schema, exactStatsLimit: 0 }),
      openPostgresStorage({ url: POSTGRES_TEST_URL, schema, exactStatsLimit: 0 }),
    ])
    const streamA = dataset(200).map((r) => ({ ...r, stream: 'sa', id: `a-${r.id}` }))
    const streamB = dataset(200).map((r) => ({ ...r, stream: 'sb', id: `b-${r.id}` }))
    await Promise.all([
      (async () => {
        for (let i = 0; i < 200; i += 20) await a.append(streamA.slice(i, i + 20))
      })(),
      (async () => {
        for (let i = 0; i < 200; i += 20) await b.append(streamB.slice(i, i + 20))
      })(),
    ])
    const total = (await a.stats({}, null))[0]!
    expect(total.count).toBe(400)
    expect((await a.stats({}, 'model')).reduce((n, r) => n + r.count, 0)).toBe(400)
    await a.close()
    await b.close()
  })

  it('refuses a malformed cursor and time with 400-class errors naming the field', async () => {
    const storage = await openPostgresStorage({ url: POSTGRES_TEST_URL, schema: freshSchema() })
    await expect(storage.query({}, { limit: 1, cursor: 'not-a-cursor' })).rejects.toMatchObject({ path: 'cursor' })
    await expect(storage.query({ from: 'yesterday' }, { limit: 1 })).rejects.toMatchObject({ path: 'from' })
    await expect(storage.deleteBefore('soon')).rejects.toMatchObject({ path: 'ts' })
    await storage.close()
  })

  it('recovers from connections the server dropped (a restart, a failover): the next call opens a new one', async () => {
    const schema = freshSchema()
    const applicationName = `pl-test-${schema}`
    const storage = await openPostgresStorage({ url: POSTGRES_TEST_URL, schema, applicationName })
    await storage.append(sealAll([unsealed()]))
    const admin = new pg.Client({ connectionString: POSTGRES_TEST_URL })
    await admin.connect()
    try {
      // The store's sessions end, as on a server restart (only its own: other tests share this server).
      const ended = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
        [applicationName],
      )
      expect(ended.rowCount).toBeGreaterThan(0)
    } finally {
      await admin.end()
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect((await storage.stats({}, null))[0]?.count).toBe(1)
    await storage.append(sealAll([unsealed()], 'other'))
    expect(await storage.streams()).toHaveLength(2)
    await storage.close()
  })

  it('names an unreachable server without its password', async () => {
    const url = 'postgres://app:hunter2secret@127.0.0.1:1/none'
    const failed = await openPostgresStorage({ url }).catch((err: Error) => err)
    expect(failed).toBeInstanceOf(Error)
    expect((failed as Error).message).toContain('127.0.0.1:1')
    expect((failed as Error).message).not.toContain('hunter2secret')
    expect(redactUrl(url)).toBe('postgres://app:***@127.0.0.1:1/none')
  })
})
