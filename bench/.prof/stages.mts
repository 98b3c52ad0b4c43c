import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Chain, genesis } from '../../packages/sdk/src/seal/chain.js'
import { computeSignals } from '../../packages/sdk/src/index.js'
import * as sdk from '../../packages/sdk/src/index.js'
import { openSqliteStorage } from '../../packages/server/src/storage/sqlite/sqlite-storage.js'
import { decodeBatch, validateBatch } from '../../packages/server/src/ingest/parse-batch.js'
import { canonicalLines } from '../../packages/server/src/storage/storage.js'
import { createMetrics } from '../../packages/server/src/metrics/registry.js'
import { benchRecord, rng, vocabulary } from '../../bench/bench-records.js'
const N = Number(process.argv[2] ?? 20000), B = 1000
const random = rng(42); const words = vocabulary(random)
const start = Date.parse('2026-01-01T00:00:00Z')
const recs = Array.from({ length: N }, (_, i) => benchRecord(random, words, start + i * 10))
const bodies: Buffer[] = []
for (let i = 0; i < N; i += B) bodies.push(Buffer.from(recs.slice(i, i + B).map((r) => JSON.stringify(r)).join('\n')))
const dir = mkdtempSync(join(tmpdir(), 'pl-prof-'))
const storage = openSqliteStorage({ path: join(dir, 'l.db') })
const metrics = createMetrics()
const redactor = (sdk as any).createRedactor?.()
const t: Record<string, number> = {}
const time = <T>(k: string, f: () => T): T => { const c0 = process.cpuUsage(); const r = f(); const c = process.cpuUsage(c0); t[k] = (t[k] ?? 0) + (c.user + c.system) / 1000; return r }
const chain = new Chain(genesis('x'))
for (const body of bodies) {
  const items = time('utf8+json', () => decodeBatch(body, true))
  const batch = time('zod', () => validateBatch(items))
  const ex = time('dedupe', () => { const s = new Set(); for (const r of batch) (storage as any).existingIds; return s })
  await time('dedupeReal', () => storage.existingIds(batch.map((r) => r.id)))
  time('signals', () => { for (const r of batch) if (!r.signals) r.signals = computeSignals(r) })
  if (process.env.REDACT && redactor) time('redact', () => { for (const r of batch) redactor.redactRecord(r) })
  const sealed = time('seal', () => batch.map((r) => { const { record, line } = chain.sealEncoded(r); canonicalLines.set(record, line); return record }))
  await time('append', () => storage.append(sealed))
  time('metrics', () => metrics.llm.observe(sealed))
}
for (const [k, v] of Object.entries(t)) console.log(k.padEnd(12), ((v * 1000) / N).toFixed(2), 'µs/rec')
console.log('total', ((Object.values(t).reduce((a, b) => a + b) * 1000) / N).toFixed(1), 'µs/rec')
rmSync(dir, { recursive: true, force: true })
