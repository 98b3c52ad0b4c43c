/**
 * Read side over 1M stored records (~1.2 KB each) in SQLite: stats grouped by model (count, error rate,
 * latency p50/p95/p99, ttft p50/p95, tokens, cost, signals) and a full-text query (one page, newest first).
 * Stats over the whole store add up hourly rollups (percentiles within 1 %); the exact scan of every record
 * (what a selection of ≤ 100k records uses) is timed too, with fewer runs.
 * Baseline measured in the same run: a plain `SELECT count(*), sum(latency) … GROUP BY model` over the same table,
 * the cheapest possible grouped scan.
 *
 *   npx tsx bench/stats.bench.ts [--records=1000000] [--runs=20]
 *
 * The database is built once into the temp dir (pl-stats-bench-<records>.db) and reused by later runs
 * (a file from before the rollups gets them on first open: a one-off migration, timed and printed).
 */
import { existsSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import { openSqliteStorage } from '../packages/server/src/storage/sqlite/sqlite-storage.js'
import { loadBenchRecords, RARE_WORDS, timeRuns } from './bench-records.js'

const arg = (name: string, dflt: number): number =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt)
const RECORDS = arg('records', 1_000_000)
const RUNS = arg('runs', 20)
const path = join(tmpdir(), `pl-stats-bench-${RECORDS}.db`)

if (!existsSync(path)) {
  const building = `${path}.building`
  rmSync(building, { force: true })
  rmSync(`${building}-search`, { force: true })
  const storage = openSqliteStorage({ path: building })
  await loadBenchRecords(RECORDS, (batch) => storage.append(batch))
  await storage.close()
  for (const suffix of ['-wal', '-shm']) rmSync(`${building}${suffix}`, { force: true })
  // The full-text index lives beside the ledger file (sqlite-search.ts); it moves with it (closed: no WAL left).
  if (existsSync(`${building}-search`)) renameSync(`${building}-search`, `${path}-search`)
  renameSync(building, path)
}

const opened = performance.now()
const storage = openSqliteStorage({ path })
const openMs = performance.now() - opened
if (openMs > 1000) process.stderr.write(`opened (schema migration) in ${Math.round(openMs)} ms\n`)
const exactStorage = openSqliteStorage({ path, exactStatsLimit: Number.POSITIVE_INFINITY })
const raw = new Database(path, { readonly: true })

const time = (fn: () => Promise<unknown> | unknown, runs = RUNS) => timeRuns(fn, runs)

const count = (raw.prepare('SELECT count(*) FROM records').pluck().get() as number).toLocaleString('en-US')
const plain = raw.prepare('SELECT model, count(*), sum(latency) FROM records GROUP BY model')
const base = await time(() => plain.all())
const byModel = await time(() => storage.stats({}, 'model'))
const byModelExact = await time(() => exactStorage.stats({}, 'model'), Math.min(RUNS, 3))
const lastDay = await time(() => storage.stats({ from: '2026-01-12T00:00:00Z', to: '2026-01-13T00:00:00Z' }, 'model'))
let w = 0
const fts = await time(() => storage.query({ q: RARE_WORDS[w++ % RARE_WORDS.length]! }, { limit: 50 }))
const ftsFiltered = await time(() =>
  storage.query({ q: RARE_WORDS[w++ % RARE_WORDS.length]!, model: 'gpt-4o', status: 'ok' }, { limit: 50 }),
)
const rows = (await storage.stats({}, 'model')).length

const fmt = (ms: number) => `${ms.toFixed(1)} ms`
const row = (name: string, r: { p50: number; p95: number }, bar: string) =>
  `| ${name} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${(r.p95 / base.p95).toFixed(2)}× | ${bar} |`
console.log(`\n${count} records in ${path}, ${RUNS} timed runs each (after one warm-up)\n`)
console.log('| query | p50 | p95 | p95 vs baseline | bar |')
console.log('|---|---:|---:|---:|---|')
console.log(row('baseline: SELECT model, count(*), sum(latency) GROUP BY model', base, ''))
console.log(
  row(`stats group_by=model, all records (${rows} groups, rollups, percentiles ±1 %)`, byModel, '≤ 250 ms p95'),
)
console.log(row('stats group_by=model, all records, exact scan (forced; ≤ 3 runs)', byModelExact, ''))
console.log(row('stats group_by=model, one day window', lastDay, ''))
console.log(row('full-text q=<rare word>, first page of 50', fts, '≤ 100 ms p95'))
console.log(row('full-text q + model + status, first page of 50', ftsFiltered, ''))
await storage.close()
await exactStorage.close()
raw.close()
