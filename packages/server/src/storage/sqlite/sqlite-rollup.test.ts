import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { sealAll, unsealed } from '../../test-support/records.js'
import { dataset, expectClose, expectRollupsMatchExact } from '../../test-support/rollup-cases.js'
import { recordColumns } from '../record-columns.js'
import { addHist, bucketOf, histBlob, mergeHistBlob, RollupBatch } from '../rollup-core.js'
import { openSqliteStorage } from './sqlite-storage.js'

const dir = mkdtempSync(join(tmpdir(), 'pl-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('SQLite hourly rollups', () => {
  it('put a value within 1 % of its bucket midpoint', () => {
    for (const v of [0.001, 0.5, 1, 10, 99.9, 1234.5, 60_000]) {
      const b = bucketOf(v)
      const mid = (1.02 ** (b - 350) * (1 + 1 / 1.02)) / 2
      expect(Math.abs(mid - v) / v).toBeLessThanOrEqual(0.01)
    }
    expect(bucketOf(0)).toBe(0)
    expect(bucketOf(-3)).toBe(0)
  })

  it('round-trip histograms, counts past the packed width included', () => {
    const h = new Float64Array(2048)
    h[0] = 3
    h[500] = 0x1fffff
    h[2047] = 5_000_000
    h[900] = 1
    const back = new Float64Array(2048)
    addHist(back, histBlob(h))
    addHist(back, histBlob(h))
    expect([back[0], back[500], back[900], back[2047]]).toEqual([6, 2 * 0x1fffff, 2, 10_000_000])
  })

  it('merge a batch of buckets into a stored histogram as if both were added up densely', () => {
    const h = new Float64Array(2048)
    h[3] = 2
    h[500] = 0x1fffff - 1
    h[2047] = 5_000_000
    const added = [2047, 7, 500, 0, 7, 500, 2047]
    const dense = Float64Array.from(h)
    for (const b of added) dense[b]!++
    expect(mergeHistBlob(histBlob(h), added)).toEqual(histBlob(dense))
    expect(mergeHistBlob(undefined, added)).toEqual(
      histBlob(Float64Array.from({ length: 2048 }, (_, b) => added.filter((x) => x === b).length)),
    )
    expect(mergeHistBlob(histBlob(h), [])).toEqual(histBlob(h))
  })

  it('answer stats like the exact scan, for every rollup grouping and filter, across batches', async () => {
    const rolled = openSqliteStorage({ path: join(dir, 'rolled', 'ledger.db'), exactStatsLimit: 0 })
    const exact = openSqliteStorage({ path: join(dir, 'exact', 'ledger.db') })
    await expectRollupsMatchExact(rolled, exact)
    await rolled.close()
    await exact.close()
  })

  it('are built for records stored before the rollup table existed', async () => {
    const path = join(dir, 'v1', 'ledger.db')
    const first = openSqliteStorage({ path })
    await first.append(dataset(120))
    const expected = await first.stats({}, 'model')
    await first.close()
    const raw = new Database(path)
    raw.exec('DROP TABLE stats_hourly')
    raw.pragma('user_version = 1')
    raw.close()
    const reopened = openSqliteStorage({ path, exactStatsLimit: 0 })
    expectClose(await reopened.stats({}, 'model'), expected)
    await reopened.close()
  })

  it('are rebuilt with their cost counts for a store from before they kept them (version 3)', async () => {
    const path = join(dir, 'v3', 'ledger.db')
    const first = openSqliteStorage({ path })
    await first.append(dataset(120))
    const expected = await first.stats({}, 'model')
    await first.close()
    expect(expected.find((r) => r.key === 'c')).toMatchObject({ costUsd: null, pricedCount: 0 })
    const raw = new Database(path)
    raw.exec('ALTER TABLE stats_hourly DROP COLUMN cost_n')
    raw.pragma('user_version = 3')
    raw.close()
    const reopened = openSqliteStorage({ path, exactStatsLimit: 0 })
    expectClose(await reopened.stats({}, 'model'), expected)
    await reopened.close()
  })

  it('key each group by the JSON text of [span, start, model, provider, app, status], whatever the values hold', () => {
    const records = sealAll([
      unsealed({ request: { model: 'gpt "4", \\o/ \u2028 é' }, provider: 'openai', app: null }),
      unsealed({ request: { model: null as unknown as string }, provider: 'p,q]', app: '[x' }),
    ])
    const batch = new RollupBatch()
    for (const record of records) batch.add(recordColumns(record))
    const expected = [...batch.rows.values()].map((r) =>
      JSON.stringify([r.span, r.hour, r.model, r.provider, r.app, r.status]),
    )
    expect([...batch.rows.keys()]).toEqual(expected)
    expect(batch.rows.size).toBe(4)
  })
})
