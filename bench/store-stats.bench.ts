/**
 * The read side on a shared store (PostgreSQL or ClickHouse) over 1M stored records (~1.2 KB each, the records of
 * stats.bench.ts): stats grouped by model (from the store's fast path, and by the exact scan), a one-day window and a
 * full-text query, against a plain `SELECT model, count(*), sum(latency) … GROUP BY model` over the same table,
 * measured in the same run.
 *
 *   npx tsx bench/store-stats.bench.ts [--store=postgres|clickhouse] [--records=1000000] [--runs=20] [--url=…]
 *
 * The records are loaded once through the store's `append` (batches of 5,000; the load rate is printed) into schema
 * (PostgreSQL) or database (ClickHouse) `pl_bench_stats_<records>`, and reused by later runs; drop it to rebuild.
 * Defaults: PostgreSQL at postgres://postgres@127.0.0.1:5432/test, ClickHouse at the test server of
 * scripts/clickhouse-test-server.sh.
 */
import { performance } from 'node:perf_hooks'
import { ClickHouseLogLevel, createClient } from '@clickhouse/client'
import pg from 'pg'
import { openClickHouseStorage } from '../packages/server/src/storage/clickhouse/clickhouse-storage.js'
import { openPostgresStorage } from '../packages/server/src/storage/postgres/postgres-storage.js'
import type { Storage } from '../packages/server/src/storage/storage.js'
import { loadBenchRecords, RARE_WORDS, timeRuns } from './bench-records.js'

const arg = (name: string, dflt: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt
const STORE = arg('store', 'postgres')
const RECORDS = Number(arg('records', '1000000'))
const RUNS = Number(arg('runs', '20'))
const NAME = `pl_bench_stats_${RECORDS}`

/** What the bench needs of a backend besides its `Storage`: the plain baseline query, a version, a drop. */
interface Backend {
  open(exactStatsLimit?: number): Promise<Storage>
  baseline(): Promise<unknown>
  version(): Promise<string>
  drop(): Promise<void>
  close(): Promise<void>
}

async function postgres(): Promise<Backend> {
  const url = arg('url', process.env['PROMPTLEDGER_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test')
  const raw = new pg.Client({ connectionString: url })
  await raw.connect()
  return {
    open: (exactStatsLimit) =>
      openPostgresStorage({ url, schema: NAME, ...(exactStatsLimit ? { exactStatsLimit } : {}) }),
    baseline: () => raw.query(`SELECT model, count(*), sum(latency) FROM "${NAME}".records GROUP BY model`),
    version: async () =>
      `PostgreSQL ${(await raw.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version}`,
    drop: async () => {
      await raw.query(`DROP SCHEMA IF EXISTS "${NAME}" CASCADE`)
    },
    close: () => raw.end(),
  }
}

async function clickhouse(): Promise<Backend> {
  const url = arg('url', process.env['PROMPTLEDGER_TEST_CLICKHOUSE_URL'] ?? 'clickhouse+http://default@127.0.0.1:8123')
  const http = new URL(url.replace(/^clickhouse\+/, ''))
  const raw = createClient({
    url: http.origin,
    username: decodeURIComponent(http.username) || 'default',
    password: decodeURIComponent(http.password),
    log: { level: ClickHouseLogLevel.OFF },
  })
  const rows = async (query: string) =>
    (await raw.query({ query, format: 'JSONEachRow' })).json<Record<string, string>>()
  return {
    open: (exactStatsLimit) =>
      openClickHouseStorage({ url, database: NAME, ...(exactStatsLimit ? { exactStatsLimit } : {}) }),
    baseline: () => rows(`SELECT model, count(), sum(latency) FROM ${NAME}.records GROUP BY model`),
    version: async () => `ClickHouse ${(await rows('SELECT version() AS v'))[0]!['v']}`,
    drop: async () => {
      await raw.command({ query: `DROP DATABASE IF EXISTS ${NAME}` })
    },
    close: () => raw.close(),
  }
}

const backend = STORE === 'clickhouse' ? await clickhouse() : STORE === 'postgres' ? await postgres() : null
if (!backend) throw new Error('--store must be postgres or clickhouse')

const probe = await backend.open()
const stored = (await probe.stats({}, null))[0]?.count ?? 0
await probe.close()
if (stored !== RECORDS) {
  await backend.drop()
  const storage = await backend.open()
  const t0 = performance.now()
  await loadBenchRecords(RECORDS, (batch) => storage.append(batch))
  const s = (performance.now() - t0) / 1000
  process.stderr.write(`loaded ${RECORDS} records in ${s.toFixed(0)} s: ${Math.round(RECORDS / s)} records/s\n`)
  await storage.close()
}

const storage = await backend.open()
const exactStorage = await backend.open(Number.POSITIVE_INFINITY)

const time = (fn: () => Promise<unknown> | unknown, runs = RUNS) => timeRuns(fn, runs)

const base = await time(() => backend.baseline())
const byModel = await time(() => storage.stats({}, 'model'))
const byModelExact = await time(() => exactStorage.stats({}, 'model'), Math.min(RUNS, 3))
const lastDay = await time(() => storage.stats({ from: '2026-01-12T00:00:00Z', to: '2026-01-13T00:00:00Z' }, 'model'))
let w = 0
const fts = await time(() => storage.query({ q: RARE_WORDS[w++ % RARE_WORDS.length]! }, { limit: 50 }))
const ftsFiltered = await time(() =>
  storage.query({ q: RARE_WORDS[w++ % RARE_WORDS.length]!, model: 'gpt-4o', status: 'ok' }, { limit: 50 }),
)

const fmt = (ms: number) => `${ms.toFixed(1)} ms`
const row = (name: string, r: { p50: number; p95: number }) =>
  `| ${name} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${(r.p95 / base.p95).toFixed(2)}× |`
console.log(`\n${RECORDS.toLocaleString('en-US')} records in ${await backend.version()} (${NAME})\n`)
console.log('| query | p50 | p95 | p95 vs baseline |')
console.log('|---|---:|---:|---:|')
console.log(row('baseline: SELECT model, count(*), sum(latency) GROUP BY model', base))
console.log(row('stats group_by=model, all records', byModel))
console.log(row('stats group_by=model, all records, exact scan (forced; ≤ 3 runs)', byModelExact))
console.log(row('stats group_by=model, one day window', lastDay))
console.log(row('full-text q=<rare word>, first page of 50', fts))
console.log(row('full-text q + model + status, first page of 50', ftsFiltered))
await storage.close()
await exactStorage.close()
await backend.close()
