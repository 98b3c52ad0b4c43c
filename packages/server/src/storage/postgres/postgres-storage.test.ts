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

  /** The days of the schema's record partitions, by their bounds. */
  async function partitionDays(schema: string): Promise<number[]> {
    const admin = new pg.Client({ connectionString: POSTGRES_TEST_URL })
    await admin.connect()
    try {
      const { rows } = await admin.query<{ bound: string }>(
        `SELECT pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = to_regclass($1)`,
        [`"${schema}".records`],
      )
      return rows.map((r) => Number(/FROM \('?(-?\d+)/.exec(r.bound)![1])).sort((a, b) => a - b)
    } finally {
      await admin.end()
    }
  }

  const DAY = 86_400_000
  const onDay = (day: number, hour: number) => new Date(day * DAY + hour * 3_600_000).toISOString()

  it('keeps one partition a day; retention drops whole days and deletes the rest of the bound day', async () => {
    const schema = freshSchema()
    const storage = await open(schema)
    const first = 20_400 // 2025-11-08
    const records = sealAll([0, 1, 2, 3].flatMap((d) => [3, 15].map((h) => unsealed({ ts: onDay(first + d, h) }))))
    await storage.append(records.slice(0, 4))
    await storage.append(records.slice(4))
    expect(await partitionDays(schema)).toEqual([first, first + 1, first + 2, first + 3])
    // A window reads only its days' partitions.
    const admin = new pg.Client({ connectionString: POSTGRES_TEST_URL })
    await admin.connect()
    const to = Date.parse(onDay(first + 2, 0))
    const plan = await admin.query(
      `EXPLAIN SELECT id FROM "${schema}".records r WHERE r.ts >= $1 AND r.day >= $2 AND r.ts < $3 AND r.day <= $4`,
      [to - DAY, first + 1, to, first + 2],
    )
    await admin.end()
    const scanned = plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')
    expect(scanned).toContain('records_20251109')
    expect(scanned).not.toContain('records_20251108')
    expect(scanned).not.toContain('records_20251111')
    expect(
      (await storage.query({ from: onDay(first + 1, 0), to: onDay(first + 2, 0) }, { limit: 10 })).records,
    ).toHaveLength(2)

    // The bound falls at noon of the third day: two days go whole, the third keeps its afternoon record.
    expect(await storage.deleteBefore(onDay(first + 2, 12))).toBe(5)
    expect(await partitionDays(schema)).toEqual([first + 2, first + 3])
    const left = await storage.query({}, { limit: 10 })
    expect(left.records.map((r) => r.ts)).toEqual([onDay(first + 3, 15), onDay(first + 3, 3), onDay(first + 2, 15)])
    expect((await storage.stats({}, null))[0]!.count).toBe(3)
    // A record of a dropped day that arrives late gets its partition again.
    await storage.append(sealAll([unsealed({ ts: onDay(first, 9) })], 'late'))
    expect(await partitionDays(schema)).toEqual([first, first + 2, first + 3])
    await storage.close()
  })

  it('stores a late record of a day another collector dropped after this one had seen it', async () => {
    const schema = freshSchema()
    const [a, b] = [await open(schema), await open(schema)]
    const day = 20_400
    await a.append(sealAll([unsealed({ ts: onDay(day, 1) })], 'a'))
    expect(await b.deleteBefore(onDay(day + 1, 0))).toBe(1)
    // a still believes the day's partition exists.
    const [late] = sealAll([unsealed({ ts: onDay(day, 2) })], 'a2')
    await a.append([late!])
    expect(await a.get(late!.id)).toEqual(late)
    await a.close()
    await b.close()
  })

  it('moves a version 1 store (one unpartitioned table) into day partitions on first open', async () => {
    const source = freshSchema()
    const old = freshSchema()
    const storage = await open(source)
    const records = sealAll(
      [0, 1, 2].map((d) => unsealed({ ts: onDay(20_400 + d, 6), user_id: `u${d}` })),
      'v1',
    )
    await storage.append(records)
    await storage.close()
    // Version 1's layout, filled from the same rows.
    const admin = new pg.Client({ connectionString: POSTGRES_TEST_URL })
    await admin.connect()
    try {
      await admin.query(`CREATE SCHEMA "${old}"`)
      await admin.query(`CREATE TABLE "${old}".records (LIKE "${source}".records)`)
      await admin.query(`ALTER TABLE "${old}".records DROP COLUMN day, ADD PRIMARY KEY (id)`)
      await admin.query(`CREATE UNIQUE INDEX records_stream_seq ON "${old}".records (stream, seq)`)
      await admin.query(`CREATE INDEX records_ts ON "${old}".records (ts, id)`)
      await admin.query(`CREATE INDEX records_search ON "${old}".records USING gin (search)`)
      const columns = (
        await admin.query<{ name: string }>(
          `SELECT attname AS name FROM pg_attribute WHERE attrelid = '"${old}".records'::regclass AND attnum > 0
           AND NOT attisdropped ORDER BY attnum`,
        )
      ).rows.map((r) => r.name)
      await admin.query(`INSERT INTO "${old}".records SELECT ${columns.join(', ')} FROM "${source}".records`)
      await admin.query(`CREATE TABLE "${old}".stream_heads AS SELECT * FROM "${source}".stream_heads`)
      await admin.query(`CREATE TABLE "${old}".meta (k text PRIMARY KEY, v text NOT NULL)`)
      await admin.query(`INSERT INTO "${old}".meta VALUES ('schema_version', '1')`)
    } finally {
      await admin.end()
    }
    const moved = await open(old)
    expect(await partitionDays(old)).toEqual([20_400, 20_401, 20_402])
    expect((await moved.query({}, { limit: 10 })).records).toEqual([...records].reverse())
    expect((await moved.query({ q: 'kenobi', userId: 'u1' }, { limit: 10 })).records).toEqual([records[1]])
    expect(await moved.head('v1')).toEqual({ stream: 'v1', seq: 2, hash: records[2]!.hash })
    // Stored again: a duplicate, by id, as before the move.
    expect(await moved.append(records)).toEqual({ inserted: 0, duplicates: 3 })
    await moved.close()
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
