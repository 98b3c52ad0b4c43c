import type { Worker } from 'node:worker_threads'
import type { BatchKeys, UnsealedRecord } from '@promptledger/sdk'
import { SEARCH_TEXT } from '../storage/record-columns.js'
import { spawnSibling } from '../worker-spawn.js'
import { type Exchange, type PackedExchange, packExchange } from './exchange.js'
import type { FromRecordWorker, RecordWorkerData, ToRecordWorker } from './record-worker.js'

export interface RecordThreadOptions extends RecordWorkerData {
  /**
   * Records go to `onRecords` in batches, after this long or at this many, whichever comes first. The worker posts
   * each group's records as soon as they are built and they wait here, on the serving thread (see record-worker.ts).
   */
  maxDelayMs: number
  maxBatch: number
  /**
   * Exchanges are sent to the worker in groups, after this long or at `sendBatch` of them: waking the thread for each
   * call cost more CPU than the work it moved (about 150 µs more a call on the 2-core bench machine, paced at one
   * call per ms; grouped, the worker path costs no more than building records in-thread).
   * Default 10 ms / 64.
   */
  sendDelayMs?: number
  sendBatch?: number
  /** A batch of prepared records, in the order the calls finished. */
  onRecords(records: UnsealedRecord[]): void
  /** Exchanges that produced no record: `count` of them, and why. */
  onFailed(count: number, message: string): void
  /**
   * With encryption at rest: the data keys of a group's users (`Encryptor#batchKeys`), resolved on this thread (the
   * key file is read and written here only) and sent with the group, so that the worker encrypts its records.
   */
  keysFor?: (userIds: readonly (string | null)[]) => BatchKeys
  /** Starts a worker thread that speaks the record worker's messages; default: `record-worker.ts` next to this file. */
  spawn?: (data: RecordWorkerData) => Worker
}

/** The serving thread's handle on the record worker. */
export interface RecordThread {
  /** Hands a finished exchange over (its bytes are copied once into a transferred buffer); returns at once. */
  submit(ex: Exchange): void
  /** Resolves once every exchange submitted so far has come back and gone to `onRecords` (or `onFailed`). */
  flush(): Promise<void>
  /** Flushes, then stops the worker. */
  close(): Promise<void>
}

/**
 * Starts the record worker on the first exchange, so collectors that never proxy a call never pay for it. The worker
 * is referenced only while it holds exchanges, so an idle one never keeps the process alive. If it dies, what it held
 * is reported as failed and the next exchange starts a fresh one.
 *
 * @example
 * const thread = openRecordThread({ prepare, maxDelayMs: 50, maxBatch: 512, onRecords: ingest, onFailed: count })
 * thread.submit(exchange)
 * await thread.close()
 */
export function openRecordThread(opts: RecordThreadOptions): RecordThread {
  const data: RecordWorkerData = { prepare: opts.prepare, ...(opts.tenant ? { tenant: opts.tenant } : {}) }
  let worker: Worker | null = null
  /** Exchanges submitted to the current worker and not yet back. */
  let held = 0
  let nextFlush = 0
  const flushes = new Map<number, () => void>()
  const sendDelayMs = opts.sendDelayMs ?? 10
  const sendBatch = opts.sendBatch ?? 64
  let outbox: PackedExchange[] = []
  /** The user of each exchange in `outbox`, for its data key. */
  let outboxUsers: Array<string | null> = []
  let sendTimer: NodeJS.Timeout | null = null
  /** After a worker dies, the next one starts no sooner than this (a worker that cannot start must not spin). */
  let restartAt = 0
  /** Records back from the worker, not yet handed to `onRecords`. */
  let batch: UnsealedRecord[] = []
  let batchTimer: NodeJS.Timeout | null = null

  function deliver(): void {
    if (batchTimer) clearTimeout(batchTimer)
    batchTimer = null
    if (batch.length === 0) return
    const records = batch
    batch = []
    opts.onRecords(records)
  }

  function take(records: UnsealedRecord[]): void {
    if (batch.length === 0) batch = records
    else for (const r of records) batch.push(r)
    while (batch.length >= opts.maxBatch) opts.onRecords(batch.splice(0, opts.maxBatch))
    if (batch.length === 0) deliver()
    // The timer keeps the process up until the batch is handed over.
    else batchTimer ??= setTimeout(deliver, opts.maxDelayMs)
  }

  function settle(w: Worker, n: number): void {
    held -= n
    if (held === 0 && worker === w) w.unref()
  }

  function start(): Worker {
    const w = opts.spawn ? opts.spawn(data) : spawnSibling(import.meta.url, 'record-worker', data)
    w.on('message', (msg: FromRecordWorker) => {
      if (msg.type === 'records') {
        settle(w, msg.records.length)
        // The worker made each record's search text from its plaintext: the store indexes it without decrypting.
        for (let i = 0; i < msg.records.length; i++) {
          ;(msg.records[i] as { [SEARCH_TEXT]?: string })[SEARCH_TEXT] = msg.texts[i]!
        }
        take(msg.records)
      } else if (msg.type === 'failed') {
        settle(w, msg.count)
        opts.onFailed(msg.count, msg.message)
      } else {
        deliver()
        flushes.get(msg.id)?.()
        flushes.delete(msg.id)
      }
    })
    const lost = (message: string): void => {
      if (worker !== w) return
      worker = null
      restartAt = Date.now() + 1000
      const n = held
      held = 0
      if (n > 0) opts.onFailed(n, message)
      // What it sent before it died is passed on now, so that a waiting flush sees it handed over.
      deliver()
      for (const done of flushes.values()) done()
      flushes.clear()
    }
    w.on('error', (err) => lost(`the record worker failed: ${err.message}`))
    w.on('exit', (code) => lost(`the record worker exited with code ${code}`))
    return w
  }

  function post(msg: ToRecordWorker, transfer: ArrayBuffer[] = []): Worker {
    worker ??= start()
    worker.postMessage(msg, transfer)
    return worker
  }

  function send(now = false): void {
    if (sendTimer) clearTimeout(sendTimer)
    sendTimer = null
    if (outbox.length === 0) return
    const wait = worker ? 0 : restartAt - Date.now()
    if (wait > 0 && !now) {
      // Held here meanwhile; the collector's bound on pending calls caps how many.
      sendTimer = setTimeout(send, wait)
      return
    }
    const packed = outbox
    const users = outboxUsers
    outbox = []
    outboxUsers = []
    let w: Worker
    let keys: BatchKeys | undefined
    try {
      keys = opts.keysFor?.(users)
    } catch {
      // The keys could not be resolved: the group goes without them, and ingest, which encrypts what comes clear,
      // meets and reports the same failure for these records.
      keys = undefined
    }
    try {
      const transfer = packed.map((p) => p.bytes)
      // The keys' one buffer is transferred: this thread keeps no copy of it.
      if (keys) transfer.push(keys.keys.buffer as ArrayBuffer)
      w = post({ type: 'exchanges', packed, ...(keys ? { keys } : {}) }, transfer)
    } catch (err) {
      // The worker could not be started: these calls will have no record, and the caller is told how many.
      restartAt = Date.now() + 1000
      opts.onFailed(packed.length, `the record worker could not start: ${(err as Error).message}`)
      return
    }
    if (held === 0) w.ref()
    held += packed.length
  }

  function flush(): Promise<void> {
    send(true)
    if (!worker || held === 0) {
      deliver()
      return Promise.resolve()
    }
    const id = nextFlush++
    return new Promise<void>((resolve) => {
      flushes.set(id, resolve)
      post({ type: 'flush', id })
    })
  }

  return {
    submit(ex) {
      outbox.push(packExchange(ex))
      outboxUsers.push(ex.tags.userId)
      // The timer keeps the process up until the group is sent; the worker is then referenced while it holds it.
      if (outbox.length >= sendBatch) send()
      else sendTimer ??= setTimeout(send, sendDelayMs)
    },
    flush,
    async close() {
      await flush()
      const w = worker
      worker = null
      if (!w) return
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()))
      w.postMessage({ type: 'close' } satisfies ToRecordWorker)
      // An idle worker ends at once; one stuck in a tokenizer count is stopped after a grace period.
      const stop = setTimeout(() => void w.terminate(), 1000)
      await exited
      clearTimeout(stop)
    },
  }
}
