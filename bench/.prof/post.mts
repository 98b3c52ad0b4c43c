import { Pool } from 'undici'
import { benchRecord, rng, vocabulary } from '../bench-records.js'
const url = process.argv[2]!; const N = Number(process.argv[3] ?? 10000)
const random = rng(42); const words = vocabulary(random)
const recs = Array.from({ length: N }, (_, i) => benchRecord(random, words, Date.parse('2026-01-01') + i * 10))
const bodies: string[] = []
for (let i = 0; i < N; i += 1000) bodies.push(recs.slice(i, i + 1000).map((r) => JSON.stringify(r)).join('\n'))
const pool = new Pool(url, { connections: 4 }); let next = 0
const t0 = performance.now()
await Promise.all(Array.from({ length: 4 }, async () => { while (next < bodies.length) { const res = await pool.request({ path: '/v1/records', method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: bodies[next++]! }); await res.body.text(); if (res.statusCode !== 200) throw new Error(String(res.statusCode)) } }))
console.log(N / ((performance.now() - t0) / 1000), 'rec/s')
await pool.close()
