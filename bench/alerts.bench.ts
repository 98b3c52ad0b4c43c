/**
 * Alert evaluation cost: one evaluation cycle of the default rules (and of every rule, scoped per model)
 * over a SQLite store of 1M records, against the baseline of one aggregate over the whole store.
 *
 *   npx tsx --conditions=source bench/alerts.bench.ts [--records=1000000] [--days=8] [--rounds=5]
 *
 * Records are spread evenly over the last `--days` days (8 covers the 7-day baseline of the response-length
 * rule; `--days=1` puts all of them inside the daily error-rate window, the worst case). They are written
 * with `storage.append` in batches of 20k; generation time is printed but not part of the table.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { LedgerRecord } from '../packages/sdk/src/index.js'
import { createAlerting } from '../packages/server/src/alerts/alerting.js'
import { parseAlertsConfig } from '../packages/server/src/alerts/alerts-config.js'
import { openSqliteStorage } from '../packages/server/src/storage/sqlite/sqlite-storage.js'

const arg = (name: string, dflt: number): number =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt)
const RECORDS = arg('records', 1_000_000)
const DAYS = arg('days', 8)
const ROUNDS = arg('rounds', 5)
const BATCH = 20_000
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4', 'claude-haiku-4', 'o3-mini']

// A cheap deterministic generator: the bench measures evaluation, not Math.random.
let seed = 42
const rand = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0
  return seed / 2 ** 32
}
const hash = (n: number) => n.toString(16).padStart(64, '0')

function record(i: number, now: number): LedgerRecord {
  const ts = new Date(now - (DAYS * 86_400_000 * (RECORDS - i)) / RECORDS).toISOString()
  const model = MODELS[i % MODELS.length]!
  const error = rand() < 0.005
  const chars = 300 + Math.floor(rand() * 200)
  return {
    v: 1,
    id: `0190${hash(i).slice(-28, -24)}-${hash(i).slice(-24, -20)}-7${hash(i).slice(-19, -16)}-8${hash(i).slice(-15, -12)}-${hash(i).slice(-12)}`,
    ts,
    end_ts: ts,
    latency_ms: 200 + Math.floor(rand() * 2800),
    ttft_ms: 50 + Math.floor(rand() * 400),
    stream: 'bench',
    seq: i,
    prev_hash: hash(i),
    hash: hash(i + 1),
    provider: model.startsWith('claude') ? 'anthropic' : 'openai',
    operation: 'chat',
    request: { model, messages: [{ role: 'user', content: `question ${i}` }] },
    response: { model, output: `answer ${i}` },
    usage: { input_tokens: 20 + (i % 500), output_tokens: 50 + (i % 300) },
    cost_usd: 0.0001 * (1 + (i % 20)),
    status: error ? 'error' : 'ok',
    error: error ? { type: 'rate_limit', message: 'rate limited', http_status: 429 } : null,
    user_id: `user-${i % 1000}`,
    session_id: null,
    trace_id: null,
    span_id: null,
    parent_span_id: null,
    app: `app-${i % 10}`,
    environment: 'bench',
    tags: [],
    metadata: {},
    prompt_hash: null,
    redacted: true,
    redactions: {},
    signals: {
      response_chars: chars,
      uncertainty: rand() < 0.001,
      injection_score: rand() < 0.0005 ? 0.8 : 0,
      pii_in_response: rand() < 0.0001 ? { EMAIL_ADDRESS: 1 } : {},
    },
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-bench-'))
  const storage = openSqliteStorage({ path: join(dir, 'ledger.db') })
  const now = Date.now()
  const t0 = performance.now()
  for (let start = 0; start < RECORDS; start += BATCH) {
    const batch: LedgerRecord[] = []
    for (let i = start; i < Math.min(RECORDS, start + BATCH); i++) batch.push(record(i, now))
    await storage.append(batch)
    if (process.stderr.isTTY) process.stderr.write(`\rgenerated ${Math.min(RECORDS, start + BATCH)} / ${RECORDS}`)
  }
  const genSeconds = (performance.now() - t0) / 1000
  process.stderr.write(`\n${RECORDS} records over ${DAYS} days written in ${genSeconds.toFixed(1)} s\n`)

  // The evaluator's clock moves one default interval (60 s) per round, as in a running collector.
  let at = now
  const clock = () => new Date(at)
  const defaults = createAlerting({ config: parseAlertsConfig({}), storage, dataDir: dir, now: clock, notifiers: [] })
  const everyRule = createAlerting({
    config: parseAlertsConfig({
      rules: Object.fromEntries(
        [
          'error_rate',
          'error_rate_daily',
          'response_length',
          'pii_leak',
          'latency_p95',
          'uncertainty',
          'injection',
        ].map((name) => [name, { enabled: true, scope: 'model' }]),
      ),
    }),
    storage,
    dataDir: join(dir, 'b'),
    now: clock,
    notifiers: [],
  })
  const time = async (fn: () => Promise<unknown>) => {
    const s = performance.now()
    await fn()
    return performance.now() - s
  }
  const full = [await time(() => storage.stats({}, null))]
  // First cycles fill the 5-minute slice cache (what a collector pays once after it starts).
  const cold = {
    defaults: [await time(() => defaults.evaluator.runOnce())],
    every: [await time(() => everyRule.evaluator.runOnce())],
  }
  const steady = { defaults: [] as number[], every: [] as number[] }
  // Interleaved rounds, so noise from other processes falls on every case alike.
  for (let round = 0; round < ROUNDS; round++) {
    at += 60_000
    full.push(await time(() => storage.stats({}, null)))
    steady.defaults.push(await time(() => defaults.evaluator.runOnce()))
    steady.every.push(await time(() => everyRule.evaluator.runOnce()))
  }
  const base = median(full)
  const rows: Array<[string, number[], boolean]> = [
    ['baseline: one `stats` aggregate over the whole store', full, false],
    ['first cycle after start, default rules (cold slice cache)', cold.defaults, false],
    ['evaluation cycle, default rules (6 enabled, global)', steady.defaults, true],
    ['first cycle after start, 8 rules per model (cost per app)', cold.every, false],
    ['evaluation cycle, 8 rules scoped per model (cost per app)', steady.every, true],
  ]
  console.log(`\n### Alert evaluation over ${RECORDS.toLocaleString('en')} SQLite records spread over ${DAYS} days\n`)
  console.log(`${ROUNDS} steady cycles, the clock advancing 60 s per cycle; node ${process.version}\n`)
  console.log('| case | median ms | max ms | ratio to baseline | bar (cycle ≤ 1000 ms) |')
  console.log('|---|---:|---:|---:|---|')
  for (const [name, xs, barred] of rows) {
    const med = median(xs)
    const bar = barred ? (Math.max(...xs) <= 1000 ? 'met' : 'MISSED') : ''
    console.log(`| ${name} | ${med.toFixed(0)} | ${Math.max(...xs).toFixed(0)} | ${(med / base).toFixed(2)} | ${bar} |`)
  }
  await defaults.close(0)
  await everyRule.close(0)
  await storage.close()
  rmSync(dir, { recursive: true, force: true })
}

await main()
