/**
 * End-to-end records/s into the file ledger (log → record → [redact] → seal → NDJSON on disk, flushed
 * and fsynced) versus pino writing the same objects to a file, in one process; plus the physical
 * limit: JSON.stringify + SHA-256 + write of the same objects with nothing else.
 * Bar: ledger with redaction off ≥ 0.8x pino to a file. The signals stage (on by default) is also
 * shown switched off, to separate its cost from the pipeline's, and alone: CPU per record of
 * `computeSignals` on the same inputs, which wall-clock runs of the whole pipeline are too noisy to show.
 *
 *   npx tsx bench/file-ledger.bench.ts [--records=20000] [--rounds=3]
 */
import { hash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import pino from 'pino'
import { computeSignals, createLedger, toRecord } from '../packages/sdk/src/index.js'
import { arg, BENCH_INPUT_BYTES, benchInput, table } from './ledger-bench-input.js'

const RECORDS = arg('records', 20_000)
const ROUNDS = arg('rounds', 3)
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-'))
let runNo = 0
const freshDir = () => path.join(root, `run-${runNo++}`)

async function ledgerRun(redact: boolean, signals = true): Promise<number> {
  const dir = freshDir()
  const ledger = createLedger({
    dir,
    stream: 'bench',
    handleExit: false,
    redact: redact ? {} : false,
    // Encryption at rest (on by default) has its own bar and bench: bench/encryption.bench.ts.
    encrypt: false,
    ...(signals ? {} : { signals: false as const }),
    queue: { maxRecords: RECORDS * 2, maxBytes: 2 ** 31 - 1, policy: 'drop' },
  })
  const t = performance.now()
  for (let i = 0; i < RECORDS; i++) ledger.log(benchInput(i))
  await ledger.flush()
  const ms = performance.now() - t
  if (ledger.stats().written !== RECORDS) throw new Error(`ledger wrote ${ledger.stats().written}/${RECORDS}`)
  await ledger.close()
  return (RECORDS / ms) * 1000
}

async function pinoRun(): Promise<number> {
  const file = path.join(freshDir() + '.log')
  const dest = pino.destination({ dest: file, sync: false, minLength: 4096 })
  await new Promise((resolve) => dest.once('ready', resolve))
  const logger = pino({ base: null }, dest)
  const t = performance.now()
  for (let i = 0; i < RECORDS; i++) logger.info(benchInput(i))
  await new Promise<void>((resolve, reject) => dest.flush((err) => (err ? reject(err) : resolve())))
  dest.flushSync()
  fs.fsyncSync(dest.fd)
  const ms = performance.now() - t
  dest.end()
  return (RECORDS / ms) * 1000
}

/** The least any hash-chained JSON writer must do: stringify, hash, write (batched), fsync. */
function physicalRun(): number {
  const file = freshDir() + '.ndjson'
  const fd = fs.openSync(file, 'a', 0o600)
  const t = performance.now()
  let chunk = ''
  for (let i = 0; i < RECORDS; i++) {
    const line = JSON.stringify(benchInput(i))
    chunk += `${hash('sha256', line)}${line}\n`
    if ((i & 511) === 511) {
      fs.writeSync(fd, chunk)
      chunk = ''
    }
  }
  fs.writeSync(fd, chunk)
  fs.fsyncSync(fd)
  const ms = performance.now() - t
  fs.closeSync(fd)
  return (RECORDS / ms) * 1000
}

const best = { pino: 0, off: 0, bare: 0, on: 0, physical: 0 }
// On a shared machine wall time includes waiting for a core; records per CPU-second of the whole process
// (main thread, thread pool: writes, fsyncs, gzip of sealed segments) shows the work itself.
const cpuBest = { pino: 0, off: 0, bare: 0, on: 0, physical: 0 }
async function measure(key: keyof typeof best, run: () => number | Promise<number>): Promise<void> {
  const c = process.cpuUsage()
  best[key] = Math.max(best[key], await run())
  const used = process.cpuUsage(c)
  cpuBest[key] = Math.max(cpuBest[key], (RECORDS / ((used.user + used.system) / 1000)) * 1000)
}
for (let r = 0; r < ROUNDS; r++) {
  await measure('pino', pinoRun)
  await measure('off', () => ledgerRun(false))
  await measure('bare', () => ledgerRun(false, false))
  await measure('on', () => ledgerRun(true))
  await measure('physical', physicalRun)
}
/** Best of `ROUNDS` passes of `computeSignals` over built records, in µs of CPU per record. */
function signalsCpu(): number {
  const ctx = { id: 'r', loggedAt: Date.now(), hmacKey: null, redacted: false }
  const records = Array.from({ length: 1000 }, (_, i) => toRecord(benchInput(i), ctx))
  // Enough calls per pass for the compiler to settle, whatever --records says.
  const calls = Math.max(RECORDS, 50_000)
  let best = Number.POSITIVE_INFINITY
  for (let r = 0; r <= ROUNDS; r++) {
    const c = process.cpuUsage()
    for (let i = 0; i < calls; i++) computeSignals(records[i % records.length]!)
    const used = process.cpuUsage(c)
    // The first pass warms the compiler up.
    if (r > 0) best = Math.min(best, (used.user + used.system) / calls)
  }
  return best
}
const signalsUs = signalsCpu()
const fmt = (n: number) => Math.round(n).toLocaleString('en')
console.log(`\n## End to end to a file (${RECORDS} records of ${BENCH_INPUT_BYTES} bytes, best of ${ROUNDS} rounds)\n`)
console.log(
  table([
    {
      subject: 'pino to a file (baseline)',
      'records/s': fmt(best.pino),
      'vs pino': '1.00',
      'of physical limit': (best.pino / best.physical).toFixed(2),
      'records/CPU-s': fmt(cpuBest.pino),
      'CPU vs pino': '1.00',
    },
    {
      subject: 'ledger, redaction off',
      'records/s': fmt(best.off),
      'vs pino': (best.off / best.pino).toFixed(2),
      'of physical limit': (best.off / best.physical).toFixed(2),
      'records/CPU-s': fmt(cpuBest.off),
      'CPU vs pino': (cpuBest.off / cpuBest.pino).toFixed(2),
    },
    {
      subject: 'ledger, redaction off, signals off',
      'records/s': fmt(best.bare),
      'vs pino': (best.bare / best.pino).toFixed(2),
      'of physical limit': (best.bare / best.physical).toFixed(2),
      'records/CPU-s': fmt(cpuBest.bare),
      'CPU vs pino': (cpuBest.bare / cpuBest.pino).toFixed(2),
    },
    {
      subject: 'ledger, redaction on',
      'records/s': fmt(best.on),
      'vs pino': (best.on / best.pino).toFixed(2),
      'of physical limit': (best.on / best.physical).toFixed(2),
      'records/CPU-s': fmt(cpuBest.on),
      'CPU vs pino': (cpuBest.on / cpuBest.pino).toFixed(2),
    },
    {
      subject: 'physical limit (stringify + SHA-256 + write)',
      'records/s': fmt(best.physical),
      'vs pino': (best.physical / best.pino).toFixed(2),
      'of physical limit': '1.00',
      'records/CPU-s': fmt(cpuBest.physical),
      'CPU vs pino': (cpuBest.physical / cpuBest.pino).toFixed(2),
    },
  ]),
)
console.log(`\nsignals stage alone: ${signalsUs.toFixed(2)} µs of CPU per record`)
console.log(
  `\nbar: ledger (redaction off) ≥ 0.80x pino → ${best.off / best.pino >= 0.8 ? 'met' : 'NOT met'} (${(best.off / best.pino).toFixed(2)}x)`,
)
fs.rmSync(root, { recursive: true, force: true })
