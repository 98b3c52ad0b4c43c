/**
 * The read side on PostgreSQL over 1M stored records (~1.2 KB each, the records of stats.bench.ts): stats grouped by
 * model, a one-day window and a full-text query, against a plain `SELECT model, count(*), sum(latency) … GROUP BY
 * model` over the same table, measured in the same run.
 *
 *   npx tsx bench/postgres-stats.bench.ts [--records=1000000] [--runs=20] [--url=postgres://postgres@127.0.0.1:5432/test]
 *
 * The records are loaded once through `PostgresStorage.append` into schema `pl_bench_stats_<records>` (the load rate
 * is printed) and reused by later runs; drop the schema to rebuild it.
 */
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { openPostgresStorage } from '../packages/server/src/storage/postgres/postgres-storage.js'
import { loadBenchRecords, percentile, RARE_WORDS } from './bench-records.js'

const arg = (name: string, dflt: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt
const RECORDS = Number(arg('records', '1000000'))
const RUNS = Number(arg('runs', '20'))
const URL = arg('url', process.env['PROMPTLEDGER_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test')
const SCHEMA = `pl_bench_stats_${RECORDS}`

const raw = new pg.Client({ connectionString: URL })
await raw.connect()
const stored = await raw
  .query<{ n: string }>(`SELECT count(*) AS n FROM "${SCHEMA}".records`)
  .then((r) => Number(r.rows[0]!.n))
  .catch(() => 0)
if (stored !== RECORDS) {
  await raw.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`)
  const storage = await openPostgresStorage({ url: URL, schema: SCHEMA })
  const t0 = performance.now()
  await loadBenchRecords(RECORDS, (batch) => storage.append(batch))
  const s = (performance.now() - t0) / 1000
  process.stderr.write(`loaded ${RECORDS} records in ${s.toFixed(0)} s: ${Math.round(RECORDS / s)} records/s\n`)
  await storage.close()
  await raw.query(`VACUUM ANALYZE "${SCHEMA}".records`)
}

const storage = await openPostgresStorage({ url: URL, schema: SCHEMA })
const exactStorage = await openPostgresStorage({ url: URL, schema: SCHEMA, exactStatsLimit: Number.POSITIVE_INFINITY })

async function time(fn: () => Promise<unknown>, runs = RUNS): Promise<{ p50: number; p95: number }> {
  await fn() // warm the buffer cache, as a running collector's would be
  const samples: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await fn()
    samples.push(performance.now() - t0)
  }
  samples.sort((a, b) => a - b)
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) }
}

const base = await time(() => raw.query(`SELECT model, count(*), sum(latency) FROM "${SCHEMA}".records GROUP BY model`))
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
const version = (await raw.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version
console.log(`\n${RECORDS.toLocaleString('en-US')} records in PostgreSQL ${version} (schema ${SCHEMA})\n`)
console.log('| query | p50 | p95 | p95 vs baseline |')
console.log('|---|---:|---:|---:|')
console.log(row('baseline: SELECT model, count(*), sum(latency) GROUP BY model', base))
console.log(row('stats group_by=model, all records (rollups, percentiles ±1 %)', byModel))
console.log(row('stats group_by=model, all records, exact scan (forced; ≤ 3 runs)', byModelExact))
console.log(row('stats group_by=model, one day window', lastDay))
console.log(row('full-text q=<rare word>, first page of 50', fts))
console.log(row('full-text q + model + status, first page of 50', ftsFiltered))
await storage.close()
await exactStorage.close()
await raw.end()
