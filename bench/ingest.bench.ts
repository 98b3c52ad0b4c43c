/**
 * Collector ingest throughput: ~1.2 KB records (already redacted by the SDK) in NDJSON batches over HTTP
 * into SQLite, client (this process) and collector (a `promptledger serve` child) on the same machine.
 * Rows: the collector with its own redaction pass off and on (encryption at rest off: the bar is about ingest), the
 * collector with its defaults (redaction and per-user encryption on), and a baseline measured in the same run:
 * the same records appended straight into a SqliteStorage in-process (no HTTP, no validation, no seal).
 * Full-text indexing runs after each append on a worker thread, so every row is timed until the last record is
 * searchable too, and the CPU columns include that indexing; the main thread's share is shown apart.
 *
 *   npm run build && npx tsx bench/ingest.bench.ts [--records=100000] [--batch=1000] [--concurrency=4]
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { Pool } from 'undici'
import { Chain, genesis } from '../packages/sdk/src/seal/chain.js'
import { openSqliteStorage } from '../packages/server/src/storage/sqlite/sqlite-storage.js'
import { benchRecord, rng, vocabulary } from './bench-records.js'

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..')
const arg = (name: string, dflt: number): number =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt)
const RECORDS = arg('records', 100_000)
const BATCH = arg('batch', 1000)
const CONCURRENCY = arg('concurrency', 4)

const random = rng(42)
const words = vocabulary(random)
const start = Date.parse('2026-01-01T00:00:00Z')
const records = Array.from({ length: RECORDS }, (_, i) => benchRecord(random, words, start + i * 10))
const bodies: string[] = []
for (let i = 0; i < RECORDS; i += BATCH) {
  bodies.push(
    records
      .slice(i, i + BATCH)
      .map((r) => JSON.stringify(r))
      .join('\n'),
  )
}
/** A word of the last record's prompt: searching it finds that record once everything is indexed. */
const LAST_WORD = records[RECORDS - 1]!.request.messages![1]!.content!.toString().split(' ').at(-5)!
const avgBytes = bodies.reduce((n, b) => n + Buffer.byteLength(b), 0) / RECORDS

const children = new Set<ChildProcess>()
// A failed run must not leave a collector behind.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

async function startCollector(
  dir: string,
  redact: boolean,
  encrypt: boolean,
): Promise<{ proc: ChildProcess; url: string }> {
  const config = join(dir, 'config.json')
  writeFileSync(config, JSON.stringify({ redact, bodyLimit: 64 * 1024 * 1024, auth: { encrypt } }))
  const proc = spawn(
    process.execPath,
    [join(root, 'packages/cli/bin/promptledger.js'), 'serve', '--port', '0', '--data', dir, '--config', config],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  children.add(proc)
  proc.once('exit', () => children.delete(proc))
  const url = await new Promise<string>((ok, fail) => {
    proc.once('exit', (code) => fail(new Error(`collector exited ${code}`)))
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const m = line.match(/listening on (\S+)/)
      if (m) ok(m[1]!)
    })
  })
  return { proc, url }
}

/**
 * CPU seconds (user + system) a process has used, from /proc (Linux); null elsewhere. On a shared machine
 * wall-clock throughput swings with the load, while the collector's CPU per record does not.
 */
function cpuSeconds(pid: number, thread?: number): number | null {
  try {
    const file = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`
    const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100 // utime + stime, in clock ticks (USER_HZ = 100)
  } catch {
    return null
  }
}

interface HttpRun {
  /** Records acknowledged (committed) per second. */
  rate: number
  /** Records per second until the last one is searchable too. */
  searchableRate: number
  /** Collector CPU µs per record (null without /proc). */
  cpuUs: number | null
  /**
   * The part of it on the collector's main thread (HTTP, parse, validate, seal, append). The rest (the search
   * worker, GC helpers, libuv) runs on other threads: with a core free for them, the main thread's share is
   * what bounds throughput.
   */
  mainCpuUs: number | null
}

async function overHttp(redact: boolean, encrypt = false): Promise<HttpRun> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-bench-'))
  const { proc, url } = await startCollector(dir, redact, encrypt)
  const pool = new Pool(url, { connections: CONCURRENCY })
  let next = 0
  const cpu0 = cpuSeconds(proc.pid!)
  const main0 = cpuSeconds(proc.pid!, proc.pid!)
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!
        const res = await pool.request({
          path: '/v1/records',
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson' },
          body,
        })
        const text = await res.body.text()
        if (res.statusCode !== 200) throw new Error(`ingest failed ${res.statusCode}: ${text.slice(0, 200)}`)
      }
    }),
  )
  const seconds = (performance.now() - t0) / 1000
  // Full-text search is indexed off the append path, and a query waits for what was acknowledged before it:
  // this query returns once every record is searchable. The CPU columns include that indexing.
  const res = await pool.request({ path: `/v1/records?limit=1&q=${LAST_WORD}`, method: 'GET' })
  const found = (await res.body.json()) as { records?: Array<{ id: string }> }
  if (found.records?.[0]?.id !== records[RECORDS - 1]!.id) throw new Error('the last record is not searchable')
  const searchableSeconds = (performance.now() - t0) / 1000
  const cpu1 = cpuSeconds(proc.pid!)
  const main1 = cpuSeconds(proc.pid!, proc.pid!)
  await pool.close()
  proc.kill('SIGTERM')
  await new Promise((r) => proc.once('exit', r))
  rmSync(dir, { recursive: true, force: true })
  const perRecord = (a: number | null, b: number | null) =>
    a === null || b === null ? null : ((b - a) * 1e6) / RECORDS
  return {
    rate: RECORDS / seconds,
    searchableRate: RECORDS / searchableSeconds,
    cpuUs: perRecord(cpu0, cpu1),
    mainCpuUs: perRecord(main0, main1),
  }
}

async function baseline(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-bench-'))
  const storage = openSqliteStorage({ path: join(dir, 'ledger.db') })
  const chain = new Chain(genesis('baseline'))
  const sealed = records.map((r) => chain.seal(structuredClone(r)))
  const t0 = performance.now()
  for (let i = 0; i < sealed.length; i += BATCH) await storage.append(sealed.slice(i, i + BATCH))
  await storage.query({ q: LAST_WORD }, { limit: 1 }) // until the search index has every record too
  const seconds = (performance.now() - t0) / 1000
  await storage.close()
  rmSync(dir, { recursive: true, force: true })
  return RECORDS / seconds
}

const base = await baseline()
const off = await overHttp(false)
const on = await overHttp(true)
const full = await overHttp(true, true)
const row = (name: string, run: HttpRun | number) => {
  const rate = typeof run === 'number' ? run : run.rate
  const cpu = typeof run === 'number' || run.cpuUs === null ? '' : `${Math.round(run.cpuUs)} µs`
  const main = typeof run === 'number' || run.mainCpuUs === null ? '' : `${Math.round(run.mainCpuUs)} µs`
  const perMain =
    typeof run === 'number' || run.mainCpuUs === null ? '' : Math.round(1e6 / run.mainCpuUs).toLocaleString('en-US')
  const searchable = typeof run === 'number' ? '' : Math.round(run.searchableRate).toLocaleString('en-US')
  return `| ${name} | ${Math.round(rate).toLocaleString('en-US')} | ${(rate / base).toFixed(2)}× | ${searchable} | ${cpu} | ${main} | ${perMain} |`
}
console.log(`\n${RECORDS} records of ${Math.round(avgBytes)} B, batches of ${BATCH}, ${CONCURRENCY} connections\n`)
console.log(
  '| scenario | records/s | vs baseline | records/s until all searchable | collector CPU / record | of it, main thread | records/s per main-thread CPU-second |',
)
console.log('|---|---:|---:|---:|---:|---:|---:|')
console.log(row('baseline: SqliteStorage.append in-process until searchable (no HTTP, no validation, no seal)', base))
console.log(row('HTTP ingest, server redaction off', off))
console.log(row('HTTP ingest, server redaction on', on))
console.log(row('HTTP ingest, server defaults (redaction on, per-user encryption at rest on)', full))
