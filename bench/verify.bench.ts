/**
 * `verify` records/s on a ledger of 1.2 KB records (sealed gzip segments plus the active one), against
 * the least any record-by-record verifier must do in the same run: read the same lines, JSON.parse each
 * and SHA-256 it. `verify` proves a sealed archive by the SHA-256 its seal checkpoint signs; `--deep`
 * inflates and re-hashes every record as well, and is shown beside it. Bar: verify ≥ 300k records/s.
 *
 *   npx tsx bench/verify.bench.ts [--records=50000] [--rounds=3]
 */
import { hash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { createLedger, verifyLedger } from '../packages/sdk/src/index.js'
import { arg, benchInput, table } from './ledger-bench-input.js'

const RECORDS = arg('records', 50_000)
const ROUNDS = arg('rounds', 3)
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-'))

const ledger = createLedger({
  dir,
  stream: 'bench',
  handleExit: false,
  redact: false,
  signals: false,
  queue: { maxRecords: 5000, maxBytes: 2 ** 31 - 1, policy: 'block' },
})
for (let i = 0; i < RECORDS; i++) await ledger.log(benchInput(i))
await ledger.close()
const streamDir = path.join(dir, 'bench')
const files = fs
  .readdirSync(streamDir)
  .filter((f) => /^\d{16}-/.test(f) && !f.endsWith('.json'))
  .sort()
let lineBytes = 0

function baseline(): number {
  const t = performance.now()
  let n = 0
  for (const f of files) {
    const raw = fs.readFileSync(path.join(streamDir, f))
    const text = (f.endsWith('.gz') ? gunzipSync(raw) : f.endsWith('.br') ? brotliDecompressSync(raw) : raw).toString(
      'utf8',
    )
    for (const line of text.split('\n')) {
      if (!line) continue
      JSON.parse(line)
      hash('sha256', line)
      n++
      lineBytes = line.length
    }
  }
  if (n !== RECORDS) throw new Error(`baseline read ${n} records`)
  return (n / (performance.now() - t)) * 1000
}

let verifyCpu = 0
async function verify(deep: boolean): Promise<number> {
  const t = performance.now()
  const cpu = process.cpuUsage()
  const result = await verifyLedger(dir, { deep })
  const ms = performance.now() - t
  const used = process.cpuUsage(cpu)
  if (!deep) verifyCpu = Math.max(verifyCpu, (RECORDS / ((used.user + used.system) / 1000)) * 1000)
  if (!result.ok || result.streams[0]!.records !== RECORDS) throw new Error(`verify failed: ${JSON.stringify(result)}`)
  return (RECORDS / ms) * 1000
}

let b = 0
let v = 0
let deep = 0
for (let r = 0; r < ROUNDS; r++) {
  b = Math.max(b, baseline())
  v = Math.max(v, await verify(false))
  deep = Math.max(deep, await verify(true))
}
const fmt = (n: number) => Math.round(n).toLocaleString('en')
console.log(
  `\n## verify (${RECORDS} records, ${files.length} segments, ${lineBytes}-byte records (NDJSON line), best of ${ROUNDS})\n`,
)
console.log(
  table([
    { subject: 'read + JSON.parse + SHA-256 (baseline)', 'records/s': fmt(b), ratio: '1.00' },
    { subject: 'verifyLedger (sealed archives by signed digest)', 'records/s': fmt(v), ratio: (v / b).toFixed(2) },
    { subject: 'verifyLedger --deep (re-hash every record)', 'records/s': fmt(deep), ratio: (deep / b).toFixed(2) },
  ]),
)
// On a shared machine wall time includes waiting for a core; CPU time shows the work itself.
console.log(
  `\nverifyLedger per CPU-second (user + system, includes gunzip on the thread pool): ${fmt(verifyCpu)} records`,
)
console.log(`\nbar: verify ≥ 300,000 records/s → ${v >= 300_000 ? 'met' : 'NOT met'} (${fmt(v)})`)
fs.rmSync(dir, { recursive: true, force: true })
