import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Encryptor } from '../crypto/encryptor.js'
import type { LogInput } from '../record/log-input.js'
import type { BatchItem, BodyBatch } from './body-batch.js'
import type { BuildConfig, FromBuildWorker, ToBuildWorker } from './build-worker.js'

/** A ledger's handle on the build worker. */
export interface BuildThread {
  /**
   * Hands a batch over (one structured clone of its inputs, and its data keys when encrypting) and
   * resolves with its bodies, in the items' order; null while the worker is not ready for this ledger
   * (it is then started: build the batch in-thread). Throws at once when an input cannot be cloned or a
   * data key cannot be had; rejects when the worker is lost, and so does every later call.
   */
  build(items: readonly BatchItem[]): Promise<BodyBatch> | null
  /**
   * Gives the buffer of a batch's bodies back once they are sealed: it goes back to the worker with the
   * next batch, which writes into it again instead of into fresh memory (see `BodyEncoder.recycle`).
   */
  recycle(bytes: Uint8Array): void
  /** Resolves once the worker can take this ledger's batches (for tests; starts the worker). */
  ready(): Promise<void>
  /** Drops this ledger's configuration (and keys) from the worker. */
  close(): void
  /** The worker, while one runs (tests stop it to check the fallback). */
  readonly worker: Worker | null
  /** Batches handed to the worker so far. */
  readonly sent: number
}

const WORKER_TAG = 'promptledger-build'

/**
 * From TypeScript sources (tests, `--conditions=source`) the worker needs the loader the parent runs under; from
 * `dist/` it is a plain module. Same start-up as the collector's workers (server/src/worker-spawn.ts).
 */
function spawn(): Worker {
  const here = import.meta.url
  if (!here.endsWith('.ts')) return new Worker(new URL('./build-worker.js', here), { workerData: WORKER_TAG })
  const require = createRequire(here)
  const tsx = pathToFileURL(require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href
  const entry = new URL('./build-worker.ts', here).href
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}) })`
  const profile = process.execArgv.filter((a) => a.startsWith('--cpu-prof'))
  return new Worker(boot, { eval: true, workerData: WORKER_TAG, execArgv: ['--conditions=source', ...profile] })
}

interface Client {
  ready: boolean
  /** Sealed batches' buffers, sent back with the next batch. */
  spare: ArrayBuffer[]
  readyWaiters: Array<() => void>
  held: Map<number, { resolve: (b: BodyBatch) => void; reject: (e: Error) => void }>
  lostWith: Error | null
  onLost: (err: Error) => void
}

/**
 * One worker per process, shared by its ledgers: it starts when a ledger first has more than one batch
 * waiting (start-up is 0.3 s from dist/, most of a short run) and stays for the next ledgers. It is
 * referenced only while an answer from it is awaited (a batch, or its readiness), so an idle worker never
 * keeps the process alive.
 */
let shared: SharedWorker | null = null

interface SharedWorker {
  worker: Worker
  clients: Map<number, Client>
  /** Answers awaited from the worker (batches, readiness): it is referenced while there is one. */
  awaited: number
}

/** Someone waits on the worker: it keeps the process alive until it answers. */
function expectAnswer(s: SharedWorker): void {
  if (s.awaited++ === 0) s.worker.ref()
}

function answered(s: SharedWorker): void {
  if (--s.awaited === 0) s.worker.unref()
}

let nextLedger = 0

function sharedWorker(): SharedWorker {
  if (shared) return shared
  const worker = spawn()
  const s: SharedWorker = { worker, clients: new Map<number, Client>(), awaited: 0 }
  worker.on('message', (msg: FromBuildWorker) => {
    // Every batch was counted when sent, also one whose ledger has gone since.
    if (msg.type === 'bodies') answered(s)
    const client = s.clients.get(msg.ledger)
    if (!client) return
    if (msg.type === 'ready') {
      client.ready = true
      for (const w of client.readyWaiters.splice(0)) w()
    } else if (msg.type === 'failed') {
      lose(client, new Error(`the build worker could not take this ledger: ${msg.message}`))
    } else {
      const p = client.held.get(msg.n)
      if (!p) return
      client.held.delete(msg.n)
      p.resolve({ bytes: msg.bytes, layout: msg.layout })
    }
  })
  const lost = (err: Error): void => {
    if (shared === s) shared = null
    for (const client of s.clients.values()) lose(client, err)
    s.clients.clear()
  }
  worker.on('error', (err) => lost(new Error(`the build worker failed: ${err.message}`, { cause: err })))
  worker.on('exit', (code) => lost(new Error(`the build worker exited with code ${code}`)))
  // After the listeners: adding a 'message' listener refs the worker's port again, and an idle worker
  // unreferenced before it kept the process alive after every ledger had closed.
  worker.unref()
  shared = s
  return s
}

function lose(client: Client, err: Error): void {
  if (client.lostWith) return
  client.lostWith = err
  client.ready = false
  for (const p of client.held.values()) p.reject(err)
  client.held.clear()
  for (const w of client.readyWaiters.splice(0)) w()
  client.onLost(err)
}

/**
 * A ledger's handle on the shared build worker; `onLost` is called once if the worker fails or exits.
 * With an `encryptor` the worker encrypts too: each batch is sent with the keys it needs, resolved here
 * (see `Encryptor#batchKeys`), and the worker encrypts a batch with its own keys only (see `batchEncryptStage`).
 */
export function openBuildThread(
  config: Omit<BuildConfig, 'encrypt'>,
  onLost: (err: Error) => void,
  encryptor: Encryptor | null = null,
): BuildThread {
  const ledger = nextLedger++
  const client: Client = { ready: false, spare: [], readyWaiters: [], held: new Map(), lostWith: null, onLost }
  let owner: SharedWorker | null = null
  let next = 0
  const start = (): SharedWorker => {
    if (owner) return owner
    owner = sharedWorker()
    owner.clients.set(ledger, client)
    const encrypt = encryptor ? { tenant: encryptor.tenant } : false
    owner.worker.postMessage({ type: 'configure', ledger, config: { ...config, encrypt } } satisfies ToBuildWorker)
    return owner
  }
  return {
    build(items) {
      if (client.lostWith) return Promise.reject(client.lostWith)
      const s = start()
      if (!client.ready) return null
      // An input that is not an object fails in the worker alone, as it does here: it has no user to key.
      const keys = encryptor ? encryptor.batchKeys(items.map((item) => (item.input as LogInput | null)?.userId)) : null
      const n = next++
      const spare = client.spare.splice(0)
      const msg = { type: 'batch', ledger, n, items: items as BatchItem[], keys, spare } satisfies ToBuildWorker
      // The keys' buffer moves to the worker, which zeroes it once it has taken them: no copy stays here.
      s.worker.postMessage(msg, keys ? [keys.keys.buffer as ArrayBuffer, ...spare] : spare)
      expectAnswer(s)
      return new Promise<BodyBatch>((resolve, reject) => client.held.set(n, { resolve, reject }))
    },
    recycle(bytes) {
      const buffer = bytes.buffer
      // Only whole buffers the worker transferred (a detached one has no bytes left to give).
      if (buffer instanceof ArrayBuffer && buffer.byteLength > 0 && client.spare.length < 2) client.spare.push(buffer)
    },
    ready() {
      const s = start()
      if (client.ready || client.lostWith) return Promise.resolve()
      expectAnswer(s)
      return new Promise<void>((resolve) =>
        client.readyWaiters.push(() => {
          answered(s)
          resolve()
        }),
      )
    },
    close() {
      if (!owner || client.lostWith) return
      owner.clients.delete(ledger)
      // Its readiness no longer matters: whoever waits for it is let go (and the worker unreferenced).
      for (const w of client.readyWaiters.splice(0)) w()
      owner.worker.postMessage({ type: 'release', ledger } satisfies ToBuildWorker)
    },
    get worker() {
      return owner && !client.lostWith ? owner.worker : null
    },
    get sent() {
      return next
    },
  }
}

/**
 * Whether a value (options, or a call's input) can be cloned to the worker and mean the same there:
 * plain objects, arrays, primitives, dates and regular expressions only. A class instance would arrive
 * as a plain object without its `toJSON` or getters, and a function not at all: those stay in-thread.
 */
export function isPlainData(value: unknown, depth = 0): boolean {
  if (depth > 32) return false
  if (value === null) return true
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return true
    case 'object':
      break
    default:
      return false
  }
  if (value instanceof RegExp || value instanceof Date) return true
  const proto = Object.getPrototypeOf(value)
  if (Array.isArray(value)) return value.every((v) => isPlainData(v, depth + 1))
  if (proto !== Object.prototype && proto !== null) return false
  return Object.values(value as object).every((v) => isPlainData(v, depth + 1))
}

/** Key of a ledger's build-thread handle, for tests (not exported from the package). */
export const BUILD_THREAD: unique symbol = Symbol('promptledger.buildThread')
