import type { Worker } from 'node:worker_threads'
import { ServerError } from '../../errors.js'
import { spawnSibling } from '../../worker-spawn.js'
import type { FromWriter, ToWriter, WriteRequest, WriterData } from './sqlite-writer-worker.js'

/** What a batch's write resolves to: the worker's reply. */
export type Written = Extract<FromWriter, { type: 'written' }>

/** A thread that stopped before answering any batch is not started again sooner than this (it must not spin). */
const RESTART_DELAY_MS = 1000

/**
 * The serving thread's handle on the writer thread (sqlite-writer-worker.ts). Batches are posted as they come
 * and answered in order. A thread that stops fails the batches it held (the store has either committed each
 * or not: a retried batch is deduplicated), is reported through `onLost`, and the next batch starts a new one,
 * which reads the chain's head from the store. Referenced only while it holds batches.
 *
 * @example
 * const thread = new SqliteWriterThread({ path, stream, genesisHash, walCheckpointBytes: null, onLost: log })
 * const written = await thread.write({ lines, layout, columns, tags, indexed: 0 })
 */
export class SqliteWriterThread {
  readonly #data: WriterData
  readonly #onLost: (err: ServerError) => void
  #worker: Worker | null = null
  #nextId = 1
  readonly #pending = new Map<number, { resolve: (w: Written) => void; reject: (e: Error) => void }>()
  #restartAt = 0
  /** Whether the current thread has answered a batch (it started). */
  #answered = false
  #closed = false
  /** Whether the writer's connection checkpoints the WAL itself (sent again to a restarted thread). */
  #checkpoints = false
  /** The last batch posted: answers come in order, so once it settles every batch before it has. */
  #lastWrite: Promise<Written> | null = null
  /** Answers received and not yet settled (see `#answerNext`). */
  readonly #replies: FromWriter[] = []

  constructor(options: WriterData & { onLost: (err: ServerError) => void }) {
    const { onLost, ...data } = options
    this.#data = data
    this.#onLost = onLost
  }

  /** Batches posted and not answered yet. */
  get pending(): number {
    return this.#pending.size
  }

  write(request: Omit<WriteRequest, 'type' | 'id'>): Promise<Written> {
    if (this.#closed) return Promise.reject(new ServerError('STORAGE_ERROR', 'the store is closed'))
    let worker: Worker
    try {
      worker = this.#start()
    } catch (err) {
      return Promise.reject(err)
    }
    const id = this.#nextId++
    if (this.#pending.size === 0) worker.ref()
    const written = new Promise<Written>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      worker.postMessage({ type: 'write', id, ...request } satisfies ToWriter)
    })
    this.#lastWrite = written
    return written
  }

  /**
   * Resolves once every batch posted so far is answered (stored or failed), deferred ones committed at once
   * instead of after their wait: what an erasure waits for before it looks for the subject's records.
   */
  async settled(): Promise<void> {
    if (this.#pending.size === 0 || !this.#worker) return
    this.#worker.postMessage({ type: 'flush' } satisfies ToWriter)
    const last = this.#lastWrite
    await last?.catch(() => undefined)
  }

  /** Turns the writer connection's own WAL checkpoints on (when the search worker, which does them, has failed). */
  checkpoints(on: boolean): void {
    this.#checkpoints = on
    this.#worker?.postMessage({ type: 'checkpoints', on } satisfies ToWriter)
  }

  /** Stops the thread at once: batches it holds fail, as when it crashes. */
  async terminate(): Promise<void> {
    await this.#worker?.terminate()
  }

  /** Lets the thread finish the batches it holds, then stops it. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const worker = this.#worker
    if (!worker) return
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
    worker.ref()
    worker.postMessage({ type: 'close' } satisfies ToWriter)
    await exited
  }

  #start(): Worker {
    if (this.#worker) return this.#worker
    if (Date.now() < this.#restartAt) throw new ServerError('STORAGE_ERROR', 'the writer thread is restarting; retry')
    const worker = spawnSibling(import.meta.url, 'sqlite-writer-worker', this.#data)
    this.#answered = false
    worker.on('message', (reply: FromWriter) => {
      this.#answered = true
      // A group commit answers several batches at once; each answer's follow-up on this thread (chain fields, search
      // text, the `records` listeners) gets its own turn of the event loop, so calls in flight are not held for all.
      this.#replies.push(reply)
      if (this.#replies.length === 1) setImmediate(() => this.#answerNext(worker))
    })
    worker.on('error', (err) =>
      this.#lost(worker, new ServerError('STORAGE_ERROR', 'the writer thread failed', { cause: err })),
    )
    worker.on('exit', (code) => {
      // Answers the thread sent before it stopped still count (they wait for their turn in `#replies`).
      this.#settleQueued(worker)
      if (!this.#closed || this.#pending.size > 0) {
        this.#lost(worker, new ServerError('STORAGE_ERROR', `the writer thread stopped (exit code ${code})`))
      }
    })
    if (this.#checkpoints) worker.postMessage({ type: 'checkpoints', on: true } satisfies ToWriter)
    worker.unref()
    this.#worker = worker
    return worker
  }

  /** Settles the batch the oldest queued answer is for, then leaves the next answer to a later turn. */
  #answerNext(worker: Worker): void {
    const reply = this.#replies.shift()
    if (this.#replies.length > 0) setImmediate(() => this.#answerNext(worker))
    if (reply) this.#settle(worker, reply)
  }

  /** Settles every queued answer at once (the thread is gone: nothing else will come to wait behind them). */
  #settleQueued(worker: Worker): void {
    for (const reply of this.#replies.splice(0)) this.#settle(worker, reply)
  }

  #settle(worker: Worker, reply: FromWriter): void {
    const waiter = this.#pending.get(reply.id)
    this.#pending.delete(reply.id)
    if (this.#pending.size === 0) worker.unref()
    if (!waiter) return
    if (reply.type === 'written') waiter.resolve(reply)
    else
      waiter.reject(
        new ServerError(reply.conflict ? 'CONFLICT' : 'STORAGE_ERROR', 'could not store the batch', {
          cause: new Error(reply.message),
        }),
      )
  }

  #lost(worker: Worker, err: ServerError): void {
    if (this.#worker !== worker) return
    this.#worker = null
    this.#settleQueued(worker)
    if (!this.#answered) this.#restartAt = Date.now() + RESTART_DELAY_MS
    for (const waiter of this.#pending.values()) waiter.reject(err)
    this.#pending.clear()
    this.#onLost(err)
  }
}
