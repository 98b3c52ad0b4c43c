/**
 * Cost of `ledger.log()` on the caller's thread versus pino's `info()` of the same 1.2 KB object,
 * measured in one process. Bar: log() ≤ 0.3x pino info().
 *
 *   npx tsx bench/log.bench.ts [--calls=20000] [--rounds=7]
 *
 * Only the synchronous call is timed: the ledger's batch work runs after the timed loop (it is
 * drained between rounds), which is exactly what the caller's thread pays. pino writes to /dev/null
 * asynchronously (sonic-boom), its fastest configuration for the caller.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import pino from 'pino'
import { createLedger } from '../packages/sdk/src/index.js'
import { arg, BENCH_INPUT_BYTES, benchInput, table } from './ledger-bench-input.js'

const CALLS = arg('calls', 20_000)
const ROUNDS = arg('rounds', 7)

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-'))
const ledger = createLedger({
  dir,
  stream: 'bench',
  handleExit: false,
  redact: false,
  queue: { maxRecords: CALLS * 2, maxBytes: 2 ** 31 - 1, policy: 'drop' },
})
const dest = pino.destination({ dest: '/dev/null', sync: false, minLength: 4096 })
const logger = pino({ base: null }, dest)

const inputs = Array.from({ length: CALLS }, (_, i) => benchInput(i))

function timeLedger(): number {
  const t = performance.now()
  for (let i = 0; i < CALLS; i++) ledger.log(inputs[i]!)
  return (performance.now() - t) / CALLS
}
function timePino(): number {
  const t = performance.now()
  for (let i = 0; i < CALLS; i++) logger.info(inputs[i]!)
  return (performance.now() - t) / CALLS
}

const l: number[] = []
const p: number[] = []
for (let r = 0; r < ROUNDS; r++) {
  // Interleaved rounds so that noise from other processes falls on both alike.
  p.push(timePino())
  l.push(timeLedger())
  await ledger.flush()
  await new Promise<void>((resolve) => dest.flush(() => resolve()))
}
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const lm = median(l) * 1e6 // ns
const pm = median(p) * 1e6
console.log(
  `\n## log() on the caller's thread (${CALLS} calls x ${ROUNDS} rounds, ${BENCH_INPUT_BYTES}-byte object, median round)\n`,
)
console.log(
  table([
    {
      subject: 'pino info() (baseline)',
      'ns/call': pm.toFixed(0),
      'calls/s': Math.round(1e9 / pm).toLocaleString('en'),
      ratio: '1.00',
    },
    {
      subject: 'ledger.log()',
      'ns/call': lm.toFixed(0),
      'calls/s': Math.round(1e9 / lm).toLocaleString('en'),
      ratio: (lm / pm).toFixed(2),
    },
  ]),
)
console.log(
  `\nbar: ledger.log() ≤ 0.30x pino info() → ${lm / pm <= 0.3 ? 'met' : 'NOT met'} (${(lm / pm).toFixed(2)}x)`,
)
await ledger.close()
fs.rmSync(dir, { recursive: true, force: true })
