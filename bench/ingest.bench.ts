/**
 * Collector ingest throughput: ~1.2 KB records (already redacted by the SDK) in NDJSON batches over HTTP
 * into SQLite, client (this process) and collector (a `promptledger serve` child) on the same machine.
 * Rows: the collector with its own redaction pass off and on (encryption at rest off: the bar is about ingest), the
 * collector with its defaults (redaction and per-user encryption on), and a baseline measured in the same run:
 * the same records appended straight into a SqliteStorage in-process (no HTTP, no validation, no seal).
 * The collector parses, validates, redacts and encodes on its main (serving) thread; a writer thread seals and
 * appends; full-text indexing runs after each append on a third thread. Every row is timed until the last record
 * is searchable too, and the CPU columns include all of it; the main thread's share is shown apart.
 *
 *   npm run build && npx tsx bench/ingest.bench.ts [--records=100000] [--batch=1000] [--concurrency=4]
 *     [--only=off|on|defaults]   run one HTTP scenario (and the baseline)
 *     [--only=storage]           the baseline, then what each SQLite statement of an append costs on its own
 *     [--only=stages]            the baseline, then the CPU of each stage, in-process on one thread
 *     [--threads]                after each HTTP row, the collector's CPU per thread and this process's (the client's)
 *     [--node-flags="<flags>"]  extra Node/V8 flags for the collector process
 *     [--callgrind=<warm-up>]    run the collector under valgrind's callgrind and print, per HTTP row, the
 *                                instructions a record costs it (all threads, kernel excluded): counted over the
 *                                records after the first <warm-up> (default 4000), once the last is searchable.
 *                                Load-independent, unlike records/s; use with --records=8000 or so (slow).
 *     [--callgrind-keep=<dir>]   with --callgrind, copy each row's dump into <dir> (for callgrind_annotate)
 *     [--canonical]              post each record with its keys in canonical order (a client sending sealed lines)
 *     [--cpu-prof=<dir>]         write each collector's V8 CPU profile into <dir> (open it in Chrome DevTools)
 *     [--cli=<file>]             the collector's CLI entry (default packages/cli/bin/promptledger.js): run another
 *                                build of the tree, e.g. to compare two in alternating runs on a busy machine
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { Pool } from 'undici'
import type { LedgerRecord, UnsealedRecord } from '../packages/sdk/src/record/schema.js'
import { createRedactor } from '../packages/sdk/src/redact/engine.js'
import { Chain, genesis } from '../packages/sdk/src/seal/chain.js'
import { decodeBatch, validateBatch } from '../packages/server/src/ingest/parse-batch.js'
import { SealEncoder } from '../packages/server/src/ingest/seal-encoder.js'
import { serverRedact } from '../packages/server/src/ingest/server-redact.js'
import { applySeal } from '../packages/server/src/storage/chain-writer.js'
import { recordColumns } from '../packages/server/src/storage/record-columns.js'
import { spliceSeal } from '../packages/server/src/storage/seal-splice.js'
import { INSERT_RECORD_ROW, runRecordInsert } from '../packages/server/src/storage/sqlite/sqlite-row.js'
import { migrate } from '../packages/server/src/storage/sqlite/sqlite-schema.js'
import { openSqliteStorage } from '../packages/server/src/storage/sqlite/sqlite-storage.js'
import { canonicalLines } from '../packages/server/src/storage/storage.js'
import { benchRecord, rng, vocabulary } from './bench-records.js'
import { procStat, threadIds } from './proc-stat.js'

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..')
const arg = (name: string, dflt: number): number =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt)
const RECORDS = arg('records', 100_000)
const BATCH = arg('batch', 1000)
const CONCURRENCY = arg('concurrency', 4)
const text = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
const ONLY = text('only')
const CPU_PROF = text('cpu-prof')
const CALLGRIND_KEEP = text('callgrind-keep')
/**
 * Send each record with its keys in canonical order, as a client that posts its sealed lines would; by default
 * the lines are `JSON.stringify` of the records as built (what the SDK's HttpExporter sends today).
 */
const CANONICAL = process.argv.includes('--canonical')
const THREADS = process.argv.includes('--threads')
/** Extra V8/Node flags for the collector process (e.g. `--node-flags=--max-semi-space-size=32`), space-separated. */
const NODE_FLAGS = text('node-flags')?.split(' ').filter(Boolean) ?? []
const CALLGRIND = process.argv.some((a) => a.startsWith('--callgrind'))
/** Records sent before callgrind's counters are zeroed (the JIT has compiled the hot path by then). */
const WARM_UP = CALLGRIND ? Math.ceil(arg('callgrind', 4000) / BATCH) * BATCH : 0
if (WARM_UP >= RECORDS) throw new Error(`--callgrind: --records (${RECORDS}) must exceed the warm-up (${WARM_UP})`)
const CLI = resolve(text('cli') ?? join(root, 'packages/cli/bin/promptledger.js'))

const random = rng(42)
const words = vocabulary(random)
const start = Date.parse('2026-01-01T00:00:00Z')
const records = Array.from({ length: RECORDS }, (_, i) => benchRecord(random, words, start + i * 10))
/** Keys in code-unit order at every level, as in a sealed record's canonical line. */
const sortedKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortedKeys)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) out[key] = sortedKeys((value as Record<string, unknown>)[key])
  return out
}
const line = CANONICAL ? (r: UnsealedRecord) => JSON.stringify(sortedKeys(r)) : (r: UnsealedRecord) => JSON.stringify(r)
const bodies: string[] = []
for (let i = 0; i < RECORDS; i += BATCH) {
  bodies.push(
    records
      .slice(i, i + BATCH)
      .map(line)
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
  // Under callgrind the node process keeps its pid (valgrind runs it in place), so the CPU columns still work.
  const [command, ...prefix] = CALLGRIND
    ? ['valgrind', '-q', '--tool=callgrind', `--callgrind-out-file=${join(dir, 'callgrind.out')}`, process.execPath]
    : [process.execPath]
  const proc = spawn(
    command!,
    [
      ...prefix,
      // Optimizing compiles on the main thread: they then land in the run that asked for them.
      ...(CALLGRIND ? ['--no-concurrent-recompilation'] : []),
      ...NODE_FLAGS,
      ...(CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', resolve(CPU_PROF)] : []),
      CLI,
      'serve',
      '--port',
      '0',
      '--data',
      dir,
      '--config',
      config,
    ],
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
/** CPU seconds (user + system) of process `pid` or of its thread `thread`; null where /proc cannot tell. */
function cpuSeconds(pid: number, thread?: number): number | null {
  const stat = procStat(pid, thread)
  return stat && stat.user + stat.system
}

/**
 * CPU seconds per thread of a process, keyed by thread name and id (Linux; empty elsewhere): the main thread, the
 * writer and search workers (Node names worker threads after nothing in particular, so they are told apart by
 * when they started), V8's GC and compiler helpers, libuv's pool.
 */
function threadSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>()
  for (const tid of threadIds(pid)) {
    let comm = ''
    try {
      comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()
    } catch {
      continue // the thread has ended
    }
    const stat = procStat(pid, tid)
    if (!stat) continue
    const name = tid === pid ? 'main' : `${comm} ${tid}`
    out.set(name, stat.user + stat.system)
    out.set(`${name} (kernel)`, stat.system)
  }
  return out
}

function printThreads(
  label: string,
  before: Map<string, number>,
  after: Map<string, number>,
  records: number,
  client: NodeJS.CpuUsage,
): void {
  const rows = [...after]
    .map(([name, s]) => [name, ((s - (before.get(name) ?? 0)) * 1e6) / records] as const)
    .filter(([, us]) => us >= 0.5)
    .sort((a, b) => b[1] - a[1])
  const perRecord = (n: number) => (n / records).toFixed(1)
  console.log(
    `\n${label}: CPU µs / record per collector thread; client (this process) ${perRecord(client.user + client.system)} µs` +
      ` (kernel ${perRecord(client.system)})`,
  )
  for (const [name, us] of rows) console.log(`  ${name.padEnd(24)} ${us.toFixed(1)}`)
}

interface HttpRun {
  /** Records acknowledged (committed) per second. */
  rate: number
  /** Records per second until the last one is searchable too. */
  searchableRate: number
  /** Collector CPU µs per record (null without /proc). */
  cpuUs: number | null
  /** With --callgrind: the collector's instructions per record after the warm-up. */
  instructions?: number
  /**
   * The part of it on the collector's main thread (HTTP, parse, validate, redact, encode). The rest (the writer
   * thread's seal and append, the search worker, GC helpers) runs on other threads.
   */
  mainCpuUs: number | null
}

async function overHttp(redact: boolean, encrypt = false): Promise<HttpRun> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-bench-'))
  const { proc, url } = await startCollector(dir, redact, encrypt)
  const pool = new Pool(url, { connections: CONCURRENCY })
  let next = 0
  /** One connection's loop: posts the next body until `until` bodies are sent. */
  const send = async (until: number) => {
    while (next < until) {
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
  }
  if (WARM_UP > 0) {
    await Promise.all(Array.from({ length: CONCURRENCY }, () => send(WARM_UP / BATCH)))
    const res = await pool.request({ path: '/v1/records?limit=1&q=warmup', method: 'GET' }) // indexed, too
    await res.body.text()
    execFileSync('callgrind_control', ['--zero', String(proc.pid)], { stdio: 'ignore' })
  }
  const measured = RECORDS - WARM_UP
  const cpu0 = cpuSeconds(proc.pid!)
  const main0 = cpuSeconds(proc.pid!, proc.pid!)
  const threads0 = THREADS ? threadSeconds(proc.pid!) : null
  const client0 = process.cpuUsage()
  const t0 = performance.now()
  await Promise.all(Array.from({ length: CONCURRENCY }, () => send(bodies.length)))
  const seconds = (performance.now() - t0) / 1000
  // Full-text search is indexed off the append path, and a query waits for what was acknowledged before it:
  // this query returns once every record is searchable. The CPU columns include that indexing.
  const res = await pool.request({ path: `/v1/records?limit=1&q=${LAST_WORD}`, method: 'GET' })
  const found = (await res.body.json()) as { records?: Array<{ id: string }> }
  if (found.records?.[0]?.id !== records[RECORDS - 1]!.id) throw new Error('the last record is not searchable')
  const searchableSeconds = (performance.now() - t0) / 1000
  const cpu1 = cpuSeconds(proc.pid!)
  const main1 = cpuSeconds(proc.pid!, proc.pid!)
  const label = `redaction ${redact ? 'on' : 'off'}${encrypt ? ', encryption on' : ''}`
  if (threads0) {
    printThreads(label, threads0, threadSeconds(proc.pid!), measured, process.cpuUsage(client0))
  }
  let instructions: number | undefined
  if (CALLGRIND) {
    execFileSync('callgrind_control', ['--dump', String(proc.pid)], { stdio: 'ignore' })
    const dump = readdirSync(dir).find((f) => f.startsWith('callgrind.out.'))
    const total = dump && readFileSync(join(dir, dump), 'utf8').match(/^(?:summary|totals): (\d+)/m)?.[1]
    if (!total) throw new Error('callgrind wrote no dump')
    if (CALLGRIND_KEEP)
      copyFileSync(join(dir, dump), join(resolve(CALLGRIND_KEEP), `callgrind.${label.replace(/[^a-z]+/g, '-')}.out`))
    instructions = Number(total) / measured
    console.log(`${label}: ${Math.round(instructions).toLocaleString('en-US')} collector instructions / record`)
  }
  await pool.close()
  proc.kill('SIGTERM')
  await new Promise((r) => proc.once('exit', r))
  rmSync(dir, { recursive: true, force: true })
  const perRecord = (a: number | null, b: number | null) =>
    a === null || b === null ? null : ((b - a) * 1e6) / measured
  return {
    rate: measured / seconds,
    searchableRate: measured / searchableSeconds,
    cpuUs: perRecord(cpu0, cpu1),
    mainCpuUs: perRecord(main0, main1),
    ...(instructions !== undefined ? { instructions } : {}),
  }
}

/** The records sealed as ingest seals them, with the canonical line the store reuses as the body. */
function sealedRecords(): LedgerRecord[] {
  const chain = new Chain(genesis('baseline'))
  return records.map((r) => {
    const { record, line } = chain.sealEncoded(structuredClone(r))
    canonicalLines.set(record, line)
    return record
  })
}

async function baseline(): Promise<HttpRun> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-bench-'))
  const storage = openSqliteStorage({ path: join(dir, 'ledger.db') })
  const sealed = sealedRecords()
  const main0 = cpuSeconds(process.pid, process.pid)
  const t0 = performance.now()
  for (let i = 0; i < sealed.length; i += BATCH) await storage.append(sealed.slice(i, i + BATCH))
  await storage.query({ q: LAST_WORD }, { limit: 1 }) // until the search index has every record too
  const seconds = (performance.now() - t0) / 1000
  const main1 = cpuSeconds(process.pid, process.pid)
  await storage.close()
  rmSync(dir, { recursive: true, force: true })
  const mainCpuUs = main0 === null || main1 === null ? null : ((main1 - main0) * 1e6) / RECORDS
  // Timed until searchable, as before the index moved to a worker: the HTTP rows are compared with this.
  return { rate: RECORDS / seconds, searchableRate: RECORDS / seconds, cpuUs: null, mainCpuUs }
}

/**
 * What each statement of an append costs alone: the same rows, in transactions of one batch, on a fresh file
 * with the collector's schema and pragmas (automatic checkpoints off, as while the search worker runs).
 * Main-thread CPU µs per record; the gap to the baseline's main-thread figure is the commit, the WAL writes,
 * the rollups and the hand-off to the search worker.
 */
function storageBreakdown(): void {
  const sealed = sealedRecords()
  const lines = sealed.map((r) => canonicalLines.get(r)!)
  const cols = sealed.map((r) => recordColumns(r))
  const secondary = ['records_model', 'records_provider', 'records_user', 'records_session', 'records_app']
  const cases: Array<[string, (db: Database.Database) => (i: number) => void]> = [
    [
      'records row, all 7 indexes',
      (db) => {
        const stmt = db.prepare(`${INSERT_RECORD_ROW} ON CONFLICT(id) DO NOTHING`)
        return (i) => runRecordInsert(stmt, i + 1, cols[i]!)
      },
    ],
    [
      'records row, unique indexes only (id; stream, seq)',
      (db) => {
        for (const index of secondary) db.exec(`DROP INDEX ${index}`)
        const stmt = db.prepare(`${INSERT_RECORD_ROW} ON CONFLICT(id) DO NOTHING`)
        return (i) => runRecordInsert(stmt, i + 1, cols[i]!)
      },
    ],
    [
      'records row, no index',
      (db) => {
        for (const index of [...secondary, 'records_id', 'records_stream_seq']) db.exec(`DROP INDEX ${index}`)
        const stmt = db.prepare(INSERT_RECORD_ROW)
        return (i) => runRecordInsert(stmt, i + 1, cols[i]!)
      },
    ],
    [
      'record_body (canonical line, TEXT)',
      (db) => {
        const stmt = db.prepare('INSERT INTO record_body (rowid, json) VALUES (?, ?)')
        return (i) => stmt.run(i + 1, lines[i])
      },
    ],
    [
      'record_tags',
      (db) => {
        const stmt = db.prepare('INSERT OR IGNORE INTO record_tags (tag, rid) VALUES (?, ?)')
        return (i) => {
          for (const tag of sealed[i]!.tags) stmt.run(tag, i + 1)
        }
      },
    ],
    [
      'the three in one transaction (row, body, tags)',
      (db) => {
        const row = db.prepare(`${INSERT_RECORD_ROW} ON CONFLICT(id) DO NOTHING`)
        const body = db.prepare('INSERT INTO record_body (rowid, json) VALUES (?, ?)')
        const tag = db.prepare('INSERT OR IGNORE INTO record_tags (tag, rid) VALUES (?, ?)')
        return (i) => {
          runRecordInsert(row, i + 1, cols[i]!)
          body.run(i + 1, lines[i])
          for (const t of sealed[i]!.tags) tag.run(t, i + 1)
        }
      },
    ],
  ]
  console.log('\n| statement, alone | main-thread CPU / record (3 runs) |\n|---|---|')
  for (const [name, setup] of cases) {
    const runs: string[] = []
    for (let rep = 0; rep < 3; rep++) {
      const dir = mkdtempSync(join(tmpdir(), 'pl-bench-'))
      const db = new Database(join(dir, 'ledger.db'))
      migrate(db)
      db.pragma('wal_autocheckpoint = 0')
      const step = setup(db)
      const batch = db.transaction((from: number) => {
        for (let i = from; i < Math.min(from + BATCH, RECORDS); i++) step(i)
      })
      const c0 = cpuSeconds(process.pid, process.pid)
      for (let i = 0; i < RECORDS; i += BATCH) batch(i)
      const c1 = cpuSeconds(process.pid, process.pid)
      runs.push(c0 === null || c1 === null ? '?' : `${Math.round(((c1 - c0) * 1e6) / RECORDS)} µs`)
      db.close()
      rmSync(dir, { recursive: true, force: true })
    }
    console.log(`| ${name} | ${runs.join(', ')} |`)
  }
}

/**
 * The collector's ingest steps, in-process and one stage at a time over every batch (so each is timed on this
 * thread's CPU clock, 10 ms ticks, over a long stretch): decode, validate, the server's redaction and the
 * canonical encoding (the collector's main thread), seal and append (its writer thread). The same functions the
 * collector runs, minus HTTP and the hand-over between threads; GC lands in the stage that allocates. Holding
 * every batch between stages keeps more alive than the collector does, so GC is somewhat overstated.
 */
async function stageBreakdown(): Promise<void> {
  const buffers = bodies.map((b) => Buffer.from(b))
  const redactor = createRedactor()
  console.log('\n| stage | main-thread CPU / record (3 runs) |\n|---|---|')
  const rows = new Map<string, string[]>()
  for (let rep = 0; rep < 3; rep++) {
    const dir = mkdtempSync(join(tmpdir(), 'pl-bench-'))
    const storage = openSqliteStorage({ path: join(dir, 'ledger.db') })
    const timed = async <T>(name: string, work: () => T | Promise<T>): Promise<T> => {
      const c0 = cpuSeconds(process.pid, process.pid)
      const out = await work()
      const c1 = cpuSeconds(process.pid, process.pid)
      const list = rows.get(name) ?? []
      list.push(c0 === null || c1 === null ? '?' : `${(((c1 - c0) * 1e6) / RECORDS).toFixed(1)} µs`)
      rows.set(name, list)
      return out
    }
    const items = await timed('decode (UTF-8 check, NDJSON split, JSON.parse)', () =>
      buffers.map((b) => decodeBatch(b, true)),
    )
    const batches = await timed('validate (record-check)', () => items.map((b) => validateBatch(b)))
    const copies: UnsealedRecord[][] = batches.map((b) => b.map((r) => structuredClone(r)))
    await timed('server redaction (redaction on only)', () => {
      for (const b of copies) for (const r of b) serverRedact(redactor, r)
    })
    const encoder = new SealEncoder('stages')
    const encoded = await timed('encode (canonical body with chain placeholders; main thread)', () =>
      batches.map((b) => {
        const out = encoder.batch(b.length)
        for (let i = 0; i < b.length; i++) encoder.encode(b[i]!, out, i)
        return out
      }),
    )
    let head = genesis('stages')
    const sealed = await timed('seal (chain values spliced in + SHA-256; writer thread)', () =>
      batches.map((b, k) =>
        b.map((r, i) => {
          const { hash, line } = spliceSeal(encoded[k]!.bodies[i]!, encoded[k]!.layout, i, head.seq + 1, head.hash)
          const record = applySeal(r, head.seq + 1, head.hash, hash)
          head = { stream: head.stream, seq: record.seq, hash }
          canonicalLines.set(record, line)
          return record
        }),
      ),
    )
    await timed('append (rows, rollups, commit; writer thread)', async () => {
      for (const b of sealed) await storage.append(b)
    })
    await storage.close()
    rmSync(dir, { recursive: true, force: true })
  }
  for (const [name, list] of rows) console.log(`| ${name} | ${list.join(', ')} |`)
}

const base = await baseline()
if (ONLY === 'storage') storageBreakdown()
if (ONLY === 'stages') await stageBreakdown()
const wanted = (name: string) => ONLY === undefined || ONLY === name
const off = wanted('off') ? await overHttp(false) : null
const on = wanted('on') ? await overHttp(true) : null
const full = wanted('defaults') ? await overHttp(true, true) : null
const row = (name: string, run: HttpRun) => {
  const cpu = run.cpuUs === null ? '' : `${Math.round(run.cpuUs)} µs`
  const main = run.mainCpuUs === null ? '' : `${Math.round(run.mainCpuUs)} µs`
  const perMain = run.mainCpuUs === null ? '' : Math.round(1e6 / run.mainCpuUs).toLocaleString('en-US')
  const searchable = Math.round(run.searchableRate).toLocaleString('en-US')
  return `| ${name} | ${Math.round(run.rate).toLocaleString('en-US')} | ${(run.rate / base.rate).toFixed(2)}× | ${searchable} | ${cpu} | ${main} | ${perMain} |`
}
console.log(`\n${RECORDS} records of ${Math.round(avgBytes)} B, batches of ${BATCH}, ${CONCURRENCY} connections\n`)
console.log(
  '| scenario | records/s | vs baseline | records/s until all searchable | collector CPU / record | of it, main thread | records/s per main-thread CPU-second |',
)
console.log('|---|---:|---:|---:|---:|---:|---:|')
console.log(row('baseline: SqliteStorage.append in-process until searchable (no HTTP, no validation, no seal)', base))
if (off) console.log(row('HTTP ingest, server redaction off', off))
if (on) console.log(row('HTTP ingest, server redaction on', on))
if (full) console.log(row('HTTP ingest, server defaults (redaction on, per-user encryption at rest on)', full))
