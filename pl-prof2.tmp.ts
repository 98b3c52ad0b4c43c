import { performance } from 'node:perf_hooks'
import { createApp } from './packages/server/src/app.js'
import { openSqliteStorage } from './packages/server/src/storage/sqlite/sqlite-storage.js'
import { benchRecord, rng, vocabulary } from './bench/bench-records.js'
const random = rng(1); const words = vocabulary(random)
const storage = openSqliteStorage({ path: '/tmp/pl-prof2/ledger.db' })
const app = await createApp({ storage, stream: 's' })
const bodies = []
for (let b = 0; b < 10; b++) bodies.push(Array.from({ length: 1000 }, (_, i) => JSON.stringify(benchRecord(random, words, Date.parse('2026-01-01') + (b * 1000 + i) * 10))).join('\n'))
const t = performance.now()
for (const payload of bodies) {
  const res = await app.inject({ method: 'POST', url: '/v1/records', headers: { 'content-type': 'application/x-ndjson' }, payload })
  if (res.statusCode !== 200) throw new Error(res.body)
}
console.log('records/s', Math.round(10000 / ((performance.now() - t) / 1000)))
await app.close(); await storage.close()
