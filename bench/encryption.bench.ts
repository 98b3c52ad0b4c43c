/**
 * Encryption cost end to end: records through the real ledger (toRecord → redact → encrypt → seal →
 * file ledger on disk, flushed and closed), with encryption off versus on, plus the collector's ingest
 * path (HTTP batch → redact → encrypt → seal → SQLite with the full-text index). Bar: encryption on
 * costs ≤ 25 % of throughput.
 *
 *   npx tsx bench/encryption.bench.ts [--records=20000] [--rounds=3] [--users=200] [--only=ledger|collector|build]
 *     [--build-thread=off] [--keys=warm]
 *
 * `--only` runs one row (e.g. under `node --cpu-prof --import tsx` to profile just the collector).
 * `--build-thread=off` runs the ledger row with `buildThread: false` on both sides: one thread's cost
 * of encryption, apart from how the two threads share the work.
 * `--keys=warm` opens each round's ledger (both sides) over a copy of a directory whose keyring already
 * holds every bench user's data key, as a long-running process's would: the ledger row then leaves out
 * the master key's and the users' first-use key creation, which every fresh round otherwise pays.
 *
 * Rounds interleave off/on so that noise from other processes falls on both alike; the best round
 * of each is reported. The CPU columns (process CPU time per record, main thread plus the thread
 * pool's gzip and fsync work, least of the rounds) say where the cost goes when the cores are
 * shared and wall-clock ratios swing.
 *
 * A third row, for diagnosis only, times the ledger's build path alone (toRecord → signals → redact →
 * encrypt → seal, in memory, no file): what the encryption itself costs the CPU, apart from the
 * bytes it adds to write, gzip and collect.
 *
 * The collector part imports the server from source but the SDK through its package (dist): build
 * first (`npx tsc -b packages/sdk packages/server packages/cli`).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { encryptStage, openEncryptor } from '../packages/sdk/src/crypto/encrypt-stage.js'
import { Chain, createLedger, genesis, uuidv7 } from '../packages/sdk/src/index.js'
import { redactStage } from '../packages/sdk/src/pipeline/redact-stage.js'
import { type NamedStage, runStages } from '../packages/sdk/src/pipeline/stage.js'
import { toRecord } from '../packages/sdk/src/record/from-input.js'
import type { LogInput } from '../packages/sdk/src/record/log-input.js'
import { signalsStage } from '../packages/sdk/src/signals/signals-stage.js'
import { loadConfig } from '../packages/server/src/config.js'
import { startServer } from '../packages/server/src/start-server.js'

const arg = (name: string, dflt: string): number =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt)
const RECORDS = arg('records', '20000')
const ROUNDS = arg('rounds', '3')
const USERS = arg('users', '200')
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length)
const wanted = (name: string) => ONLY === undefined || ONLY === name
const BUILD_THREAD = !process.argv.includes('--build-thread=off')
const KEYS_WARM = process.argv.includes('--keys=warm')
/** Records processed by the last run (each run sets it), for CPU time per record. */
let lastCount = 0

const PROMPT =
  'Summarise the attached meeting notes in three bullet points. The customer reported that the export job ' +
  'timed out twice last week and asked whether the retention policy applies to archived segments as well.'
const OUTPUT =
  'Here is a summary:\n- The export job timed out twice last week.\n- The customer asked about retention.\n' +
  '- Archived segments follow the same policy once they are sealed.'

const logInput = (i: number) =>
  ({
    messages: [
      { role: 'system', content: 'You are a careful assistant.' },
      { role: 'user', content: `${PROMPT} (#${i})` },
    ],
    output: OUTPUT,
    model: 'gpt-4o-mini',
    userId: `user-${i % USERS}`,
    usage: { inputTokens: 120, outputTokens: 60 },
    latencyMs: 800,
    metadata: { route: '/chat', attempt: 1 },
  }) as LogInput

/** With `--keys=warm`: a data dir whose keyring holds every bench user's key (its records are removed). */
async function warmKeysDir(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-keys-'))
  const ledger = createLedger({ dir, stream: 'keys', handleExit: false, encrypt: true, buildThread: false })
  for (let i = 0; i < USERS; i++) ledger.log(logInput(i))
  await ledger.close()
  fs.rmSync(path.join(dir, 'keys'), { recursive: true, force: true })
  return dir
}
const keysDir = KEYS_WARM && wanted('ledger') ? await warmKeysDir() : null

async function ledgerRun(encrypt: boolean): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-'))
  if (keysDir) fs.cpSync(keysDir, dir, { recursive: true })
  try {
    const ledger = createLedger({
      dir,
      stream: 'bench',
      handleExit: false,
      encrypt,
      buildThread: BUILD_THREAD,
      queue: { maxRecords: RECORDS + 1, maxBytes: 1024 * 1024 * 1024, policy: 'drop' },
    })
    const start = performance.now()
    for (let i = 0; i < RECORDS; i++) ledger.log(logInput(i))
    await ledger.close()
    const elapsed = performance.now() - start
    const written = ledger.stats().written
    if (written !== RECORDS) throw new Error(`ledger wrote ${written} of ${RECORDS} records`)
    lastCount = RECORDS
    return (RECORDS / elapsed) * 1000
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * The ledger's build path in memory, with the ledger's own stages (see Ledger#build). One encryptor
 * serves every round, as in a long-running process: its data keys exist after the first round.
 */
const buildDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-'))
const buildEncryptor = openEncryptor({ dir: buildDir, persist: 'batch' })
/** Short rounds, many of them (BUILD_ROUNDS, interleaved): the least CPU per record is stable under load. */
const BUILD_RECORDS = 5000
const BUILD_ROUNDS = 12
const buildInputs = Array.from({ length: BUILD_RECORDS }, (_, i) => logInput(i))

async function buildRun(encrypt: boolean): Promise<number> {
  const stages: NamedStage[] = [signalsStage(), redactStage({}), ...(encrypt ? [encryptStage(buildEncryptor)] : [])]
  const hmacKey = Buffer.alloc(32, 7)
  const chain = new Chain(genesis('bench'))
  const start = performance.now()
  for (let i = 0; i < BUILD_RECORDS; i++) {
    const now = Date.now()
    const record = toRecord(buildInputs[i]!, { id: uuidv7(now), loggedAt: now, hmacKey, redacted: true })
    chain.sealParts(runStages(stages, record))
    if (i % 512 === 511) buildEncryptor.commitKeys()
  }
  buildEncryptor.commitKeys()
  lastCount = BUILD_RECORDS
  return (BUILD_RECORDS / (performance.now() - start)) * 1000
}

async function collectorRun(encrypt: boolean): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-'))
  const config = loadConfig({
    flags: { port: 0, data: dir, config: 'bench.json' },
    env: {},
    readFile: () => JSON.stringify({ auth: { encrypt }, retention: { intervalMinutes: 0 } }),
  })
  const server = await startServer(config)
  try {
    const total = Math.max(2000, Math.floor(RECORDS / 4))
    const batchSize = 200
    const now = new Date().toISOString()
    const start = performance.now()
    for (let b = 0; b < total; b += batchSize) {
      const batch = Array.from({ length: batchSize }, (_, j) => ({
        v: 1,
        id: crypto.randomUUID(),
        ts: now,
        end_ts: now,
        latency_ms: 800,
        ttft_ms: null,
        provider: 'openai',
        operation: 'chat',
        request: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `${PROMPT} (#${b + j})` }] },
        response: { model: 'gpt-4o-mini', output: OUTPUT },
        usage: { input_tokens: 120, output_tokens: 60 },
        cost_usd: 0.0001,
        status: 'ok',
        error: null,
        user_id: `user-${(b + j) % USERS}`,
        session_id: null,
        trace_id: null,
        span_id: null,
        parent_span_id: null,
        app: 'bench',
        environment: null,
        tags: [],
        metadata: { route: '/chat' },
        prompt_hash: null,
        redacted: true,
        redactions: {},
      }))
      const res = await fetch(`${server.url}/v1/records`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(batch),
      })
      if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`)
    }
    lastCount = total
    return (total / (performance.now() - start)) * 1000
  } finally {
    await server.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

interface Measured {
  /** records/s, best round */
  rate: number
  /** process CPU µs per record, least round */
  cpu: number
}

async function measure(run: (encrypt: boolean) => Promise<number>, encrypt: boolean, into: Measured): Promise<void> {
  const before = process.cpuUsage()
  const rate = await run(encrypt)
  const cpu = process.cpuUsage(before)
  into.rate = Math.max(into.rate, rate)
  into.cpu = Math.min(into.cpu, (cpu.user + cpu.system) / lastCount)
}

async function best(
  run: (encrypt: boolean) => Promise<number>,
  rounds = ROUNDS,
): Promise<{ off: Measured; on: Measured }> {
  const off: Measured = { rate: 0, cpu: Number.POSITIVE_INFINITY }
  const on: Measured = { rate: 0, cpu: Number.POSITIVE_INFINITY }
  // Warm-up of both paths (JIT, module loading, the first keyring): a round that was the first to run the encryption
  // code measured its compilation too.
  await run(false)
  await run(true)
  for (let r = 0; r < rounds; r++) {
    await measure(run, false, off)
    await measure(run, true, on)
  }
  return { off, on }
}

const ledger = wanted('ledger') ? await best(ledgerRun) : null
const collector = wanted('collector') ? await best(collectorRun) : null
const build = wanted('build') ? await best(buildRun, BUILD_ROUNDS) : null
fs.rmSync(buildDir, { recursive: true, force: true })
if (keysDir) fs.rmSync(keysDir, { recursive: true, force: true })
const row = (name: string, { off, on }: { off: Measured; on: Measured }, bar = true) => {
  const cost = (1 - on.rate / off.rate) * 100
  const verdict = bar ? (cost <= 25 ? 'yes' : 'NO') : '(diagnostic)'
  return (
    `| ${name} | ${off.rate.toFixed(0)} | ${on.rate.toFixed(0)} | ${(on.rate / off.rate).toFixed(3)} | ${cost.toFixed(1)} % | ` +
    `${off.cpu.toFixed(1)} → ${on.cpu.toFixed(1)} | ${verdict} |`
  )
}
console.log(
  `\nEncryption cost, ${RECORDS} records through the ledger (${USERS} users), best of ${ROUNDS} rounds, node ${process.version}\n`,
)
console.log(
  '| path | records/s, encryption off (baseline) | records/s, on | ratio on/off | cost | CPU µs/record, off → on | ≤ 25 % |',
)
console.log('|---|---:|---:|---:|---:|---:|---|')
if (ledger) {
  const how = `${BUILD_THREAD ? '' : ' (buildThread: false)'}${keysDir ? ' (keys warm)' : ''}`
  console.log(row(`SDK ledger: log() → file ledger, closed${how}`, ledger))
}
if (collector) console.log(row('collector: HTTP ingest → SQLite + FTS', collector))
if (build) {
  console.log(row(`SDK build path alone, in memory (${BUILD_RECORDS} records, best of ${BUILD_ROUNDS})`, build, false))
}
