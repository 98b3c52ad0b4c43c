/**
 * Proxy overhead: direct to a fake OpenAI upstream vs through the promptledger collector's proxy (the real
 * `startServer` app: logging, server-side redaction, encryption and SQLite storage on) vs through @portkey-ai/gateway,
 * at concurrency 1, 16 and 64, JSON and SSE. Each server runs in its own process; this process only generates load.
 *
 *   npx tsx bench/proxy.bench.ts [--requests=2000] [--rounds=3] [--breakdown] [--concurrency=1,16,64] [--modes=json,sse]
 *
 * `--requests` is the number of measured requests per target and concurrency at c=1 (more at higher concurrency),
 * split over `--rounds` interleaved rounds so that noise from other processes falls on all targets alike; each turn
 * starts `--settle-ms` (1000) after the previous target's, so that a collector's deferred work does not fall on the next.
 * `--breakdown` adds the collector with its ingest call stubbed out (the proxy's own share), the bare proxy handler
 * on node:http with the socket forwarder, without logging and with an SDK file ledger, the same without the
 * forwarder (`handler, node:http path`: node:http's request event in, undici out), a TCP relay that copies bytes
 * without parsing HTTP (the cost of the extra hop alone), and an HTTP relay with node:http + undici and nothing else.
 * `--stalls` makes the collectors (and the handler that records nothing) print their event-loop delay (p50 … max),
 * stalls while serving per 1,000 calls, GC pauses and the busiest threads at the process's priority, and time their
 * ingest calls, on exit.
 * `--compare='{"ingestDelayMs":50}'` adds a second collector with those `proxy` settings (same-run A/B),
 * `--compare-root=DIR` runs that second collector from another checkout (e.g. a copy of the code before a change),
 * `--compare-node-flags='--single-threaded-gc'` starts it with those Node/V8 flags, and
 * `--cpu-prof=DIR` writes V8 CPU profiles of the collector's threads into DIR, `--alloc-prof=DIR` a sampling heap
 * profile of its serving thread after warm-up that keeps what the GC collected (where the garbage comes from). On Linux each server also prints its
 * CPU per call by thread (serving thread, the background threads at nice 10: record worker, store writer, search indexer; the rest).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { monitorEventLoopDelay, PerformanceObserver, constants as perfConstants, performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { Pool } from 'undici'
import { procStat, threadIds } from './proc-stat.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..')
const arg = (name: string, dflt: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt

const BODY = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are a helpful assistant.' },
    {
      role: 'user',
      content: 'My email is ana.lopez@example.com and my card is 4111 1111 1111 1111. What is the weather?',
    },
  ],
  temperature: 0.2,
}
const JSON_BODY = JSON.stringify(BODY)
const SSE_BODY = JSON.stringify({ ...BODY, stream: true, stream_options: { include_usage: true } })

// ---------------------------------------------------------------- child roles (servers)

async function runFake(): Promise<void> {
  const { startFakeOpenAI } = await import('../test-support/fake-upstreams/index.js')
  const fake = await startFakeOpenAI()
  // The fake keeps every request for tests; a long benchmark must not.
  let served = 0
  setInterval(() => {
    served += fake.requests.length
    fake.requests.splice(0)
  }, 1000).unref()
  // The reference for the proxies' figures: what answering one call costs a plain node:http server here.
  reportCpuOnExit(
    'fake upstream',
    () => served + fake.requests.length,
    () => fake.close(),
  )
  process.stdout.write(`READY ${fake.url}\n`)
}

/**
 * Prints what the server process spent per proxied call when the benchmark stops it. The count starts again at
 * SIGUSR2, which the load generator sends once every target is warm: start-up (module loading, the record worker's
 * start, JIT) is not a per-call cost.
 */
function reportCpuOnExit(label: string, calls: () => number, cleanup: () => Promise<void>): void {
  let cpu0 = process.cpuUsage()
  let calls0 = 0
  // `--stalls`: how long the serving thread's event loop was blocked (a 1 ms timer's lateness), from SIGUSR2 on.
  const stalls = process.argv.includes('--stalls') ? monitorEventLoopDelay({ resolution: 1 }) : null
  stalls?.enable()
  const gc = process.argv.includes('--stalls') ? watchGc() : null
  const stallCount = process.argv.includes('--stalls') ? countStalls() : null
  let threads0 = threadTicks()
  process.on('SIGUSR2', () => {
    cpu0 = process.cpuUsage()
    calls0 = calls()
    threads0 = threadTicks()
    stalls?.reset()
    gc?.reset()
    stallCount?.reset()
  })
  process.on('SIGTERM', async () => {
    const cpu = process.cpuUsage(cpu0)
    const n = calls() - calls0
    if (stalls) {
      stalls.disable()
      const ms = (ns: number): string => (ns / 1e6).toFixed(2)
      process.stderr.write(
        `${label}: event-loop delay after warm-up (1 ms timer), p50 ${ms(stalls.percentile(50))} ms, p99 ${ms(stalls.percentile(99))} ms, p99.9 ${ms(stalls.percentile(99.9))} ms, max ${ms(stalls.max)} ms; ${stallCount?.summary(n)}\n`,
      )
    }
    if (gc) process.stderr.write(`${label}: GC pauses on the serving thread after warm-up: ${gc.summary(n)}\n`)
    const threads = threadTicks()
    await cleanup()
    const per = (us: number): string => (us / Math.max(1, n)).toFixed(0)
    if (threads.size > 0) {
      // Per thread, from /proc (10 ms ticks: only meaningful over thousands of calls). The serving thread is the
      // process's own id; the record worker, store writer and search indexer run at nice 10.
      const groups = new Map<string, number>()
      for (const [tid, t] of threads) {
        const before = threads0.get(tid)?.seconds ?? 0
        const group = tid === process.pid ? 'serving thread' : t.nice === 10 ? 'background (nice 10)' : 'other threads'
        groups.set(group, (groups.get(group) ?? 0) + (t.seconds - before) * 1e6)
      }
      process.stderr.write(
        `${label}: CPU per call by thread: ${[...groups].map(([g, us]) => `${g} ${per(us)} µs`).join(', ')}\n`,
      )
      if (gc) {
        // `--stalls`: the threads at the process's own priority, by name (V8's platform workers, libuv's pool…):
        // they take a core from the serving thread as readily as any other process.
        // Named by their rank in start order too: V8's platform workers start with the process, libuv's pool on its
        // first use, worker threads when started.
        const named = new Map<string, number>()
        const order = [...threads.keys()].sort((a, b) => a - b)
        for (const [tid, t] of threads) {
          if (tid === process.pid || t.nice === 10) continue
          const name = `${t.name}#${order.indexOf(tid)}`
          named.set(name, (named.get(name) ?? 0) + (t.seconds - (threads0.get(tid)?.seconds ?? 0)) * 1e6)
        }
        const busiest = [...named].sort((a, b) => b[1] - a[1]).filter(([, us]) => us > 0)
        process.stderr.write(
          `${label}: other threads by name: ${busiest.map(([name, us]) => `${name} ${per(us)} µs`).join(', ')}\n`,
        )
      }
    }
    // User vs system: at c=1 most of a hop's CPU is the kernel's (loopback TCP, epoll, wake-ups), not JavaScript.
    process.stderr.write(
      `${label}: ${n} calls after warm-up, CPU ${per(cpu.user + cpu.system)} µs per call (user ${per(cpu.user)}, system ${per(cpu.system)}; whole server process, all threads)\n`,
    )
    process.exit(0)
  })
}

/**
 * Stalls of the serving thread: turns of a 1 ms interval timer that came at least 2, 5 and 10 ms after the one before
 * (the loop was held, or the thread waited for a core), counted only while the server is serving: the event loop was
 * busy more than a tenth of the last 10 ms window before the late turn, which leaves out the pauses between targets
 * and other targets' turns (and the deferred work that runs then). Reported per 1,000 calls, so that servers that
 * served different numbers of calls compare, and so that they read as how often a call in flight can meet one.
 */
function countStalls(): { reset(): void; summary(calls: number): string } {
  const limits = [2, 5, 10]
  let counts = limits.map(() => 0)
  let last = performance.now()
  let window = performance.eventLoopUtilization()
  let serving = false
  let ticks = 0
  setInterval(() => {
    const now = performance.now()
    const gap = now - last
    last = now
    if (serving) for (let i = 0; i < limits.length; i++) if (gap >= limits[i]!) counts[i]!++
    if (++ticks % 10 === 0) {
      serving = performance.eventLoopUtilization(window).utilization > 0.1
      window = performance.eventLoopUtilization()
    }
  }, 1).unref()
  return {
    reset() {
      counts = limits.map(() => 0)
    },
    summary(n) {
      const per = (count: number): string => ((count * 1000) / Math.max(1, n)).toFixed(1)
      return `stalls while serving ${limits.map((ms, i) => `≥ ${ms} ms ${per(counts[i]!)}`).join(', ')} per 1000 calls`
    },
  }
}

/** `--stalls`: the serving thread's GC pauses (V8's own timing of each), by kind, from SIGUSR2 on. */
function watchGc(): { reset(): void; summary(calls: number): string } {
  const kinds = new Map<number, string>([
    [perfConstants.NODE_PERFORMANCE_GC_MINOR, 'scavenge'],
    [perfConstants.NODE_PERFORMANCE_GC_MAJOR, 'mark-compact'],
    [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental marking'],
    [perfConstants.NODE_PERFORMANCE_GC_WEAKCB, 'weak callbacks'],
  ])
  let pauses = new Map<string, number[]>()
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      // A GC entry's `detail` says which collection it was (Node's typings leave it out of PerformanceEntry).
      const detail = (e as PerformanceEntry & { detail?: { kind?: number } }).detail
      const kind = kinds.get(detail?.kind ?? -1) ?? 'other'
      const xs = pauses.get(kind) ?? []
      xs.push(e.duration)
      pauses.set(kind, xs)
    }
  })
  observer.observe({ entryTypes: ['gc'] })
  return {
    reset() {
      pauses = new Map()
    },
    summary(calls) {
      const parts: string[] = []
      for (const [kind, xs] of pauses) {
        const sorted = [...xs].sort((a, b) => a - b)
        const at = (p: number): string =>
          (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0).toFixed(2)
        const total = xs.reduce((a, b) => a + b, 0)
        parts.push(
          `${kind} ${xs.length} (${((xs.length * 1000) / Math.max(1, calls)).toFixed(1)} per 1000 calls, ${total.toFixed(0)} ms in all, p50 ${at(0.5)}, p99 ${at(0.99)}, max ${at(1)} ms)`,
        )
      }
      return parts.join(', ') || 'none'
    },
  }
}

/** Linux: this thread's CPU time so far, ms (nanosecond precision); -1 elsewhere. */
function threadCpuMs(): number {
  try {
    return Number(fs.readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6
  } catch {
    return -1
  }
}

/** Linux: CPU seconds (user + system) and nice value of each of this process's threads; empty elsewhere. */
function threadTicks(): Map<number, { seconds: number; nice: number; name: string }> {
  const out = new Map<number, { seconds: number; nice: number; name: string }>()
  for (const tid of threadIds(process.pid)) {
    // A thread that ended while being read is left out.
    const stat = procStat(process.pid, tid)
    if (stat) out.set(tid, { seconds: stat.user + stat.system, nice: stat.nice, name: threadName(tid) })
  }
  return out
}

/** Linux: a thread's name (`comm`), its id when it cannot be read. */
function threadName(tid: number): string {
  try {
    return fs.readFileSync(`/proc/${process.pid}/task/${tid}/comm`, 'utf8').trim()
  } catch {
    return String(tid)
  }
}

/**
 * The product path: `promptledger serve` (auth, proxy, ingest with redaction, encryption, SQLite). `ingest=stub`
 * replaces the app's ingest call with a no-op, to split the collector's figure into the proxy's share and the
 * ingest path's (redaction, signals, encryption, sealing, SQLite).
 */
async function runCollector(upstream: string, ingestMode: string): Promise<void> {
  const { loadConfig, startServer } = await import('../packages/server/src/index.js')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-'))
  const config = loadConfig({ flags: { port: 0, data: dir, openaiUpstream: upstream }, env: {} })
  // `--proxy-config=JSON`: settings merged into the collector's `proxy` section (`ingestSlice`, `ingestDelayMs`), for
  // same-run A/Bs.
  const tuned = arg('proxy-config', '')
  if (tuned) config.proxy = { ...config.proxy, ...JSON.parse(tuned) }
  const variant = tuned ? ` (${tuned})` : ''
  const server = await startServer(config)
  let stored = 0
  server.app.ingest.on('records', (batch) => {
    stored += batch.length
  })
  if (ingestMode === 'real' && process.argv.includes('--stalls')) timeIngestCalls(server.app.ingest, variant)
  if (ingestMode === 'stub') {
    // Bench only: the proxy reaches ingest through the app's instance, so this stubs it for proxied calls alone.
    server.app.ingest.ingest = async (batch) => {
      stored += batch.length
      return { accepted: batch.length, duplicates: 0, firstSeq: null, lastSeq: null }
    }
  }
  const allocDir = arg('alloc-prof', '')
  if (allocDir) await profileAllocations(allocDir)
  reportCpuOnExit(
    `promptledger collector${ingestMode === 'stub' ? ' (ingest stubbed)' : ''}${variant}`,
    () => stored,
    async () => {
      await server.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  )
  process.stdout.write(`READY ${server.url}\n`)
}

/**
 * `--alloc-prof=DIR`: V8's sampling heap profiler from SIGUSR2 (warm) to SIGTERM, keeping the samples of objects the
 * GC has since collected, so the profile says what each stack allocated, not what is still alive at the end.
 */
async function profileAllocations(dir: string): Promise<void> {
  const { Session } = await import('node:inspector/promises')
  const session = new Session()
  session.connect()
  await session.post('HeapProfiler.enable')
  process.on('SIGUSR2', () => {
    void session.post('HeapProfiler.startSampling', {
      samplingInterval: 1024,
      includeObjectsCollectedByMinorGC: true,
      includeObjectsCollectedByMajorGC: true,
    } as never)
  })
  process.on('SIGTERM', async () => {
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: unknown }
    fs.mkdirSync(dir, { recursive: true })
    fs.writeFileSync(path.join(dir, `collector-${process.pid}.heapprofile`), JSON.stringify(profile))
  })
}

/**
 * `--stalls`: times every ingest call on the serving thread: until the event loop's next turn (the call and the
 * work it queues for the same turn: below 100 records a call, ingest's whole preparation, one stretch that calls in
 * flight wait behind; I/O handled before that turn counts too, so it is an upper bound), in CPU time on Linux, and
 * until its promise settles (the record is stored), in wall time.
 */
function timeIngestCalls<B extends unknown[], R>(ingest: { ingest(batch: B): Promise<R> }, variant: string): void {
  const real = ingest.ingest.bind(ingest)
  const held: number[] = []
  const times: number[] = []
  let records = 0
  process.on('SIGUSR2', () => {
    held.length = 0
    times.length = 0
    records = 0
  })
  ingest.ingest = (batch) => {
    const t0 = performance.now()
    const cpu0 = threadCpuMs()
    const done = real(batch)
    // CPU time where the kernel tells it (Linux): what the stretch cost this thread, without the time it waited for
    // a core on a busy machine.
    setImmediate(() => held.push(cpu0 < 0 ? performance.now() - t0 : threadCpuMs() - cpu0))
    records += batch.length
    return done.finally(() => times.push(performance.now() - t0))
  }
  process.on('SIGTERM', () => {
    const at = (xs: number[], p: number): string => {
      const sorted = [...xs].sort((a, b) => a - b)
      return (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0).toFixed(2)
    }
    process.stderr.write(
      `promptledger collector${variant}: ${held.length} ingest calls after warm-up, ${(records / Math.max(1, held.length)).toFixed(1)} records each, held the serving thread p50 ${at(held, 0.5)} ms, p99 ${at(held, 0.99)} ms, max ${at(held, 1)} ms; settled after p50 ${at(times, 0.5)} ms, p99 ${at(times, 0.99)} ms, max ${at(times, 1)} ms\n`,
    )
  })
}

/**
 * The bare handler on node:http; `--log=ledger` hands every call to an SDK file ledger (redaction on), `none` records
 * nothing (the finished exchange is dropped): the floor of the serving path. With the socket forwarder attached, as
 * the collector runs it, unless `--path=node` (node:http's request event and undici, the path before the forwarder).
 */
async function runHandler(upstream: string, log: string, via: string): Promise<void> {
  const { createServer } = await import('node:http')
  const { createLedger } = await import('../packages/sdk/src/index.js')
  const { createProxy } = await import('../packages/server/src/proxy/index.js')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-'))
  const ledger = createLedger({ dir, handleExit: false })
  const proxy = createProxy(
    log === 'none'
      ? { upstreams: { openai: upstream }, onExchange: () => {}, preloadTokenizers: false }
      : { upstreams: { openai: upstream }, onRecord: (input) => void ledger.log(input) },
  )
  await proxy.ready
  const server = createServer({ noDelay: true }, proxy)
  if (via !== 'node') proxy.attach(server)
  server.keepAliveTimeout = 65_000
  reportCpuOnExit(
    `promptledger handler (log=${log}${via === 'node' ? ', node:http path' : ''})`,
    () => proxy.stats.forwarded,
    async () => {
      await ledger.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  )
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address() as { port: number }
    process.stdout.write(`READY http://127.0.0.1:${addr.port}\n`)
  })
}

/**
 * The same two HTTP legs as the proxy with nothing else: node:http in, undici `Pool.dispatch` out, head and body
 * passed through (hop-by-hop headers dropped), no routing, capture, tags or record. Not a usable proxy; it splits
 * the handler's added latency into HTTP on both sides of the hop and the handler's own work.
 */
async function runHttpRelay(upstream: string): Promise<void> {
  const { createServer } = await import('node:http')
  const pool = new Pool(new URL(upstream).origin, { keepAliveTimeout: 30_000 })
  const hop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length'])
  let calls = 0
  const server = createServer({ noDelay: true }, (req, res) => {
    calls++
    const parts: Buffer[] = []
    req.on('data', (c: Buffer) => parts.push(c))
    req.on('end', () => {
      const headers: string[] = []
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        if (!hop.has(req.rawHeaders[i]!.toLowerCase())) headers.push(req.rawHeaders[i]!, req.rawHeaders[i + 1]!)
      }
      pool.dispatch(
        { method: 'POST', path: req.url ?? '/', headers, body: parts.length === 1 ? parts[0]! : Buffer.concat(parts) },
        {
          onConnect() {},
          onHeaders(status: number, raw: Buffer[], _resume: () => void, text: string) {
            const out: string[] = []
            for (let i = 0; i < raw.length; i += 2) {
              const name = raw[i]!.toString('latin1')
              if (!hop.has(name.toLowerCase()) || name.toLowerCase() === 'content-length')
                out.push(name, raw[i + 1]!.toString('latin1'))
            }
            res.writeHead(status, text, out)
            return true
          },
          // Small bodies only here: writes are never held back, so no pause/resume to wire up.
          onData: (chunk: Buffer) => {
            res.write(chunk)
            return true
          },
          onComplete: () => res.end(),
          onError: () => res.destroy(),
        },
      )
    })
  })
  server.keepAliveTimeout = 65_000
  reportCpuOnExit(
    'http relay (node:http + undici, nothing else)',
    () => calls,
    () => pool.close(),
  )
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address() as { port: number }
    process.stdout.write(`READY http://127.0.0.1:${addr.port}\n`)
  })
}

/**
 * A byte pipe: each client connection gets its own upstream connection and bytes are copied both ways, with no HTTP
 * parsing at all. Not a usable proxy (nothing is seen or recorded); it measures what the extra hop alone costs here.
 */
async function runRelay(upstream: string): Promise<void> {
  const net = await import('node:net')
  const { hostname, port } = new URL(upstream)
  const server = net.createServer({ noDelay: true }, (client) => {
    const up = net.connect({ host: hostname, port: Number(port), noDelay: true })
    client.pipe(up)
    up.pipe(client)
    client.on('error', () => up.destroy())
    up.on('error', () => client.destroy())
  })
  let calls = 0
  // A request arrives in one read here (small bodies), so reads from clients count calls.
  server.on('connection', (c) => c.on('data', () => calls++))
  reportCpuOnExit(
    'tcp relay (no HTTP)',
    () => calls,
    async () => {},
  )
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address() as { port: number }
    process.stdout.write(`READY http://127.0.0.1:${addr.port}\n`)
  })
}

// ---------------------------------------------------------------- load generation

interface Sample {
  total: number
  ttft: number
  ok: boolean
}

interface Target {
  name: string
  origin: string
  path: string
  headers: Record<string, string>
  streams: boolean
}

/** One client per target and concurrency, kept across warm-up and rounds: every target is measured on warm connections. */
function clientFor(t: Target, concurrency: number): Pool {
  return new Pool(t.origin, {
    connections: concurrency,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  })
}

async function load(t: Target, stream: boolean, concurrency: number, n: number, pool: Pool): Promise<Sample[]> {
  const body = stream ? SSE_BODY : JSON_BODY
  const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-bench', ...t.headers }
  const samples: Sample[] = []
  let left = n
  const worker = async (): Promise<void> => {
    while (left-- > 0) {
      const start = performance.now()
      let ttft = 0
      let ok = false
      try {
        const res = await pool.request({ origin: t.origin, path: t.path, method: 'POST', headers, body })
        for await (const _chunk of res.body) {
          if (ttft === 0) ttft = performance.now() - start
        }
        ok = res.statusCode === 200
      } catch {
        ok = false
      }
      samples.push({ total: performance.now() - start, ttft, ok })
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return samples
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

function spawnServer(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /READY (\S+)/.exec(out)
      if (m) resolve({ child, url: m[1]! })
    })
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${out.slice(-500)}`)))
  })
}

async function startPortkey(): Promise<{ child: ChildProcess; url: string }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000)
  const entry = path.join(root, 'node_modules/@portkey-ai/gateway/build/start-server.js')
  const child = spawn(process.execPath, [entry, `--port=${port}`, '--headless'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString()
  })
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString()
  })
  // It prints a banner after a fixed start-up delay; then the port answers.
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 100; i++) {
    if (out.includes('Ready for connections')) return { child, url }
    await new Promise((r) => setTimeout(r, 100))
  }
  child.kill()
  throw new Error(`portkey did not start: ${out.slice(-500)}`)
}

async function main(): Promise<void> {
  const requests = Number(arg('requests', '2000'))
  const rounds = Number(arg('rounds', '3'))
  const breakdown = process.argv.includes('--breakdown')
  const levels = arg('concurrency', '1,16,64').split(',').map(Number)
  const modes = arg('modes', 'json,sse').split(',')
  // `--settle-ms`: the pause before each target's turn in a round (see the rounds below).
  const settleMs = Number(arg('settle-ms', '1000'))
  const self = fileURLToPath(import.meta.url)
  const node = ['--conditions=source', '--import', 'tsx', self]
  const fake = await spawnServer([...node, '--role=fake'])
  const stalls = process.argv.includes('--stalls') ? ['--stalls'] : []
  // `--cpu-prof=DIR`: V8 CPU profiles of the collector's threads (the serving thread and its workers) into DIR.
  const prof = arg('cpu-prof', '')
  const profile = prof ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(prof)}`] : []
  // `--alloc-prof=DIR`: what the collector's serving thread allocates after warm-up, by stack, garbage included.
  const allocProf = arg('alloc-prof', '')
  const allocArgs = allocProf ? [`--alloc-prof=${path.resolve(allocProf)}`] : []
  const ours = await spawnServer([
    ...profile,
    ...node,
    '--role=collector',
    `--upstream=${fake.url}`,
    ...stalls,
    ...allocArgs,
  ])
  // `--compare=JSON`: a second collector with these `proxy` settings, e.g. `{"ingestDelayMs":50}` (same-run A/B).
  // `--compare-root=DIR`: the second collector runs from another checkout (DIR holds its `bench/` and `packages/`),
  // e.g. a copy of the code before a change, so that old and new code meet the same noise in the same run.
  const compare = arg('compare', '')
  const compareRoot = arg('compare-root', '')
  // `--compare-node-flags='--single-threaded-gc'`: Node/V8 flags for the second collector's process alone.
  const compareFlags = arg('compare-node-flags', '').split(' ').filter(Boolean)
  const compareNode = [
    ...compareFlags,
    ...(compareRoot
      ? ['--conditions=source', '--import', 'tsx', path.join(path.resolve(compareRoot), 'bench/proxy.bench.ts')]
      : node),
  ]
  const compareName = [compareRoot && `from ${compareRoot}`, compareFlags.join(' '), compare].filter(Boolean).join(' ')
  const compared =
    compare || compareRoot || compareFlags.length > 0
      ? await spawnServer([
          ...compareNode,
          '--role=collector',
          `--upstream=${fake.url}`,
          // Always set, so that the two collectors' exit reports differ in their label (`(…)` after the name).
          `--proxy-config=${compare || '{}'}`,
          ...stalls,
        ])
      : null
  const extra = breakdown
    ? [
        await spawnServer([...node, '--role=collector', '--ingest=stub', `--upstream=${fake.url}`, ...stalls]),
        // With `--stalls` too: the handler that records nothing is the floor the collectors' stalls compare to.
        await spawnServer([...node, '--role=handler', '--log=none', `--upstream=${fake.url}`, ...stalls]),
        await spawnServer([...node, '--role=handler', '--log=ledger', `--upstream=${fake.url}`]),
        await spawnServer([...node, '--role=relay', `--upstream=${fake.url}`]),
        await spawnServer([...node, '--role=http-relay', `--upstream=${fake.url}`]),
        await spawnServer([...node, '--role=handler', '--log=none', '--path=node', `--upstream=${fake.url}`]),
      ]
    : []
  const portkey = await startPortkey()
  const proxyPath = '/proxy/openai/v1/chat/completions'
  const targets: Target[] = [
    { name: 'direct', origin: fake.url, path: '/v1/chat/completions', headers: {}, streams: true },
    { name: 'promptledger', origin: ours.url, path: proxyPath, headers: {}, streams: true },
    ...(compared
      ? [
          {
            name: `collector ${compareName}`,
            origin: compared.url,
            path: proxyPath,
            headers: {},
            streams: true,
          },
        ]
      : []),
    ...(breakdown
      ? [
          { name: 'collector, ingest stubbed', origin: extra[0]!.url, path: proxyPath, headers: {}, streams: true },
          { name: 'handler, no logging', origin: extra[1]!.url, path: proxyPath, headers: {}, streams: true },
          { name: 'handler + file ledger', origin: extra[2]!.url, path: proxyPath, headers: {}, streams: true },
          { name: 'handler, node:http path', origin: extra[5]!.url, path: proxyPath, headers: {}, streams: true },
          {
            name: 'tcp relay (no HTTP)',
            origin: extra[3]!.url,
            path: '/v1/chat/completions',
            headers: {},
            streams: true,
          },
          {
            name: 'http relay (no handler)',
            origin: extra[4]!.url,
            path: '/v1/chat/completions',
            headers: {},
            streams: true,
          },
        ]
      : []),
    {
      name: 'portkey 1.15',
      origin: portkey.url,
      path: '/v1/chat/completions',
      headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${fake.url}/v1` },
      streams: false,
    },
  ]
  // Portkey's stream handling fails on Node 20 (immutable headers); check once and say so rather than assume.
  const pkTarget = targets.find((t) => t.name.startsWith('portkey'))!
  const probePool = clientFor(pkTarget, 1)
  const probe = await load(pkTarget, true, 1, 3, probePool)
  await probePool.close()
  const portkeyStreams = probe.every((s) => s.ok)
  pkTarget.streams = portkeyStreams

  const lines: string[] = []
  const row = (cells: Array<string | number>): void => {
    lines.push(`| ${cells.join(' | ')} |`)
  }
  const f = (x: number): string => x.toFixed(2)
  let cpuCounting = false
  for (const stream of [false, true]) {
    if (!modes.includes(stream ? 'sse' : 'json')) continue
    lines.push('')
    lines.push(stream ? '### SSE stream (include_usage), ms' : '### JSON, ms')
    lines.push('')
    if (stream) {
      row([
        'c',
        'target',
        'TTFT p50',
        'TTFT p99',
        'total p50',
        'total p99',
        '+TTFT p50',
        '+total p50',
        '+total p99',
        'req/s',
        'errors',
      ])
      row(['--:', ':--', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:'])
    } else {
      row(['c', 'target', 'p50', 'p99', 'added p50', 'added p99', 'added p50 ratio vs portkey', 'req/s', 'errors'])
      row(['--:', ':--', '--:', '--:', '--:', '--:', '--:', '--:', '--:'])
    }
    for (const c of levels) {
      const n = c === 1 ? requests : requests * 2
      const active = targets.filter((t) => !stream || t.streams)
      // Warm every connection and JIT path first, on the clients the rounds then use.
      const clients = new Map(active.map((t) => [t.name, clientFor(t, c)]))
      for (const t of active) await load(t, stream, c, Math.max(200, c * 10), clients.get(t.name)!)
      if (!cpuCounting) {
        for (const s of [fake, ours, ...(compared ? [compared] : []), ...extra]) s.child.kill('SIGUSR2')
        cpuCounting = true
      }
      const results = new Map<string, { samples: Sample[]; ms: number }>()
      for (let r = 0; r < rounds; r++) {
        for (const t of active) {
          // The target before this one may still be working for its calls (a collector stores them up to two ingest
          // windows later, its record worker builds them first): that work must not fall on this target's calls.
          // Without the pause, of two identical collectors the one measured first had the lower c=1 p99 in 3 of 4
          // same-run A/Bs (2,000 calls each).
          if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs))
          const t0 = performance.now()
          const s = await load(t, stream, c, Math.ceil(n / rounds), clients.get(t.name)!)
          const cur = results.get(t.name) ?? { samples: [], ms: 0 }
          cur.samples.push(...s)
          cur.ms += performance.now() - t0
          results.set(t.name, cur)
        }
      }
      await Promise.all([...clients.values()].map((client) => client.close()))
      const stat = (name: string) => {
        const r = results.get(name)
        if (!r) return null
        const total = r.samples.map((s) => s.total).sort((a, b) => a - b)
        const ttft = r.samples.map((s) => s.ttft).sort((a, b) => a - b)
        return {
          p50: pct(total, 50),
          p99: pct(total, 99),
          t50: pct(ttft, 50),
          t99: pct(ttft, 99),
          rps: (r.samples.length / r.ms) * 1000,
          errors: r.samples.filter((s) => !s.ok).length,
        }
      }
      const base = stat('direct')!
      const pk = stat('portkey 1.15')
      for (const t of active) {
        const s = stat(t.name)!
        if (stream) {
          row([
            c,
            t.name,
            f(s.t50),
            f(s.t99),
            f(s.p50),
            f(s.p99),
            f(s.t50 - base.t50),
            f(s.p50 - base.p50),
            f(s.p99 - base.p99),
            s.rps.toFixed(0),
            s.errors,
          ])
        } else {
          const added = s.p50 - base.p50
          const ratio =
            pk && t.name !== 'direct' && !t.name.startsWith('portkey')
              ? `${((added / (pk.p50 - base.p50)) * 100).toFixed(0)}%`
              : ''
          row([c, t.name, f(s.p50), f(s.p99), f(added), f(s.p99 - base.p99), ratio, s.rps.toFixed(0), s.errors])
        }
      }
    }
  }
  if (!portkeyStreams)
    lines.push(
      '',
      `Portkey streaming failed in this run (${probe.filter((s) => !s.ok).length}/3 probe requests); streams compare to direct.`,
    )
  process.stdout.write(
    `## Proxy overhead (node ${process.version}, ${os.cpus().length} cores, ${requests} requests at c=1, ${requests * 2} at 16 and 64, ${rounds} interleaved rounds)\n${lines.join('\n')}\n`,
  )
  const servers = [ours, ...(compared ? [compared] : []), ...extra]
  const exited = servers.map((s) => new Promise((r) => s.child.once('exit', r)))
  for (const s of [...servers, portkey]) s.child.kill('SIGTERM')
  await Promise.all(exited)
  // Last, so that its CPU figure covers the whole run (direct, proxied and Portkey calls alike).
  const fakeExit = new Promise((r) => fake.child.once('exit', r))
  fake.child.kill('SIGTERM')
  await fakeExit
}

const role = arg('role', 'main')
if (role === 'fake') await runFake()
else if (role === 'collector') await runCollector(arg('upstream', ''), arg('ingest', 'real'))
else if (role === 'handler') await runHandler(arg('upstream', ''), arg('log', 'ledger'), arg('path', 'socket'))
else if (role === 'relay') await runRelay(arg('upstream', ''))
else if (role === 'http-relay') await runHttpRelay(arg('upstream', ''))
else await main()
