import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { sealAll, unsealed } from '../../test-support/records.js'
import { recordColumns } from '../record-columns.js'
import { addHist, bucketOf, histBlob, mergeHistBlob, RollupBatch } from '../rollup-core.js'
import type { GroupBy, StatsRow } from '../storage.js'
import { openSqliteStorage } from './sqlite-storage.js'

const dir = mkdtempSync(join(tmpdir(), 'pl-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const T0 = Date.parse('2026-03-01T00:00:00.000Z')
const MODELS = ['a', 'b', null, 'c']

/**
 * Deterministic records over four days: varied latency, ttft, tokens, cost, status and signals. Model `c` has no
 * price (cost null), and one record in 6 of the others neither: groups are priced, unpriced and partly priced.
 */
function dataset(n: number) {
  return sealAll(
    Array.from({ length: n }, (_, i) =>
      unsealed({
        ts: new Date(T0 + i * 1_218_000).toISOString(),
        request: { model: MODELS[i % 4]! },
        response: i % 7 === 0 ? null : { model: null, output: 'y'.repeat(i % 13) },
        provider: i % 3 ? 'openai' : 'anthropic',
        app: i % 5 ? 'web' : null,
        latency_ms: 1 + ((i * 37) % 997),
        ttft_ms: i % 2 ? null : 0.5 + (i % 50),
        status: i % 9 === 0 ? 'error' : 'ok',
        usage: { input_tokens: i % 11, output_tokens: i % 17 },
        cost_usd: MODELS[i % 4] === 'c' || i % 6 === 1 ? null : (i % 10) / 1000,
        signals: {
          uncertainty: i % 8 === 0,
          pii_in_response: i % 12 === 0 ? { EMAIL: 1 } : {},
          injection_score: i / n,
        },
      }),
    ),
  )
}

/** Rollup answers equal the exact scan's, percentiles within the documented 1 %. */
function expectClose(rolled: StatsRow[], exact: StatsRow[]): void {
  expect(rolled.map((r) => [r.key, r.count, r.errors])).toEqual(exact.map((r) => [r.key, r.count, r.errors]))
  for (let i = 0; i < exact.length; i++) {
    const [a, b] = [rolled[i]!, exact[i]!]
    expect(a.inputTokens).toBe(b.inputTokens)
    expect(a.outputTokens).toBe(b.outputTokens)
    expect(a.pricedCount).toBe(b.pricedCount)
    if (b.costUsd === null) expect(a.costUsd).toBeNull()
    else expect(a.costUsd).toBeCloseTo(b.costUsd, 9)
    expect(a.avgResponseChars ?? -1).toBeCloseTo(b.avgResponseChars ?? -1, 9)
    expect([a.uncertain, a.piiLeaks, a.injectionMax]).toEqual([b.uncertain, b.piiLeaks, b.injectionMax])
    for (const k of ['latencyP50', 'latencyP95', 'latencyP99', 'ttftP50', 'ttftP95'] as const) {
      if (b[k] === null) expect(a[k]).toBeNull()
      // Both interpolate between the two values around the rank; the rollup's are bucket midpoints (within 1 %).
      else expect(Math.abs(a[k]! - b[k]!) / b[k]!).toBeLessThanOrEqual(0.0101)
    }
  }
}

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
    const records = dataset(300)
    const rolled = openSqliteStorage({ path: join(dir, 'rolled', 'ledger.db'), exactStatsLimit: 0 })
    const exact = openSqliteStorage({ path: join(dir, 'exact', 'ledger.db') })
    for (let i = 0; i < records.length; i += 70) {
      await rolled.append(records.slice(i, i + 70))
      await exact.append(records.slice(i, i + 70))
    }
    const groups: Array<GroupBy | null> = [null, 'model', 'provider', 'app', 'status', 'hour', 'day']
    const filters = [
      {},
      { model: 'a' },
      { from: '2026-03-01T01:00:00.000Z', to: '2026-03-01T03:00:00.000Z' },
      { from: '2026-03-02T00:00:00.000Z', to: '2026-03-04T00:00:00.000Z', status: 'ok' as const },
      { from: '2026-03-01T13:00:00.000Z', to: '2026-03-03T05:00:00.000Z' },
    ]
    for (const g of groups) for (const f of filters) expectClose(await rolled.stats(f, g), await exact.stats(f, g))
    // Retention keeps rollups in step, also for the hour the bound falls in.
    await rolled.deleteBefore('2026-03-02T01:30:00.000Z')
    await exact.deleteBefore('2026-03-02T01:30:00.000Z')
    expectClose(await rolled.stats({}, 'hour'), await exact.stats({}, 'hour'))
    expectClose(await rolled.stats({}, 'day'), await exact.stats({}, 'day'))
    expectClose(await rolled.stats({}, 'model'), await exact.stats({}, 'model'))
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
