import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { availableParallelism } from 'node:os'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { type WrapOptions, wrapFunction } from './capture/wrap.js'
import { encryptStage, openEncryptor } from './crypto/encrypt-stage.js'
import { openKeyring } from './crypto/keyring.js'
import { PromptLedgerError } from './errors.js'
import type { Exporter, ExportResult } from './exporters/exporter.js'
import { FileLedgerExporter, type FileLedgerOptions } from './exporters/file-ledger/file-ledger.js'
import { type Rescued, readRescues, removeRescues, writeRescue } from './exporters/file-ledger/rescue-file.js'
import { HttpExporter } from './exporters/http/http-exporter.js'
import { withRetry } from './exporters/http/retry-exporter.js'
import { withSpool } from './exporters/http/spool-exporter.js'
import { type LedgerOptions, type ResolvedLedgerOptions, resolveLedgerOptions } from './ledger-options.js'
import { BatchBuilder, type PreparedBatch, type SealedBatch } from './pipeline/batch-builder.js'
import type { BodyBatch } from './pipeline/body-batch.js'
import { BUILD_THREAD, type BuildThread, isPlainData, openBuildThread } from './pipeline/build-thread.js'
import { registerExitFlush } from './pipeline/exit-hooks.js'
import { sealOrphanRescues } from './pipeline/orphan-rescues.js'
import { estimateBytes, type Pending, PendingQueue } from './pipeline/pending-queue.js'
import { redactStage } from './pipeline/redact-stage.js'
import type { NamedStage } from './pipeline/stage.js'
import type { LogInput } from './record/log-input.js'
import type { LedgerRecord, UnsealedRecord } from './record/schema.js'
import { uuidv7 } from './record/uuidv7.js'
import { Chain } from './seal/chain.js'
import { checkpointSigner } from './seal/checkpoint.js'
import { signalsStage } from './signals/signals-stage.js'

/** Counters of one ledger since it was created. */
export interface LedgerStats {
  /** Calls accepted and not yet written (including calls waiting in `block` policy). */
  queued: number
  written: number
  /** Calls refused because the queue was full (`drop` policy) or the ledger closed. */
  dropped: number
  /** Calls whose input could not become a record (see the `error` event). */
  invalid: number
  /** Export and I/O failures. */
  errors: number
  batches: number
  /** Repairs made when the ledger was opened (torn lines cut, seals finished). */
  recovered: number
}

export interface LedgerWarning {
  message: string
  file?: string
}

export interface LedgerEvents {
  error: [PromptLedgerError]
  drop: [{ id: string; reason: 'queue-full' | 'closed' }]
  warning: [LedgerWarning]
}

/** A batch taken from the queue and not yet sealed (see #drainLoop). */
interface TakenBatch {
  items: Pending[]
  /** The worker's bodies for the batch, or null when it is built here (`prepared`). */
  bodies: Promise<BodyBatch | null> | null
  building: boolean
  prepared: PreparedBatch | null
}

const NOTHING_PREPARED: PreparedBatch = { records: [], canonical: new Uint8Array(0) }

/** Batches built ahead while the worker holds an older one; bounds the records kept alive unsealed. */
const MAX_TAKEN = 4
/**
 * Batches the worker holds at once: with two, the next one is already there when it finishes one. This
 * thread builds a batch itself only when the worker holds two (it takes about three in four batches of
 * bench/file-ledger.bench.ts: handing one over costs this thread about a third of building it here).
 */
const WORKER_BATCHES = 2

/** Longest stretch of a batch built or sealed on the caller's thread before it yields to the event loop (see `prepareSliced`). */
const SLICE_MS = 1

export const HMAC_KEY_NAME = 'prompt-hash-hmac'

/**
 * The embedded flight recorder: `log()` queues in O(1) on the caller's thread; batches are turned into
 * records, redacted, sealed into the hash chain and written to the file ledger off the caller's stack.
 *
 * Why `log()` never posts to a worker: handing one call over means a structured clone of its input on
 * the caller's thread, which costs about what `JSON.stringify` costs, and would put `log()` above the bar
 * of 0.3x pino's `info()`. Keeping a reference and doing the work in a later macrotask costs the caller
 * only the queue push; the batch work yields to the event loop between batches.
 * Callers must therefore not mutate an input object after passing it to `log()`.
 *
 * When more than one batch is waiting, batches are built (records, signals, redaction, canonical bytes) on
 * a worker thread, and on this thread too while the worker has its hands full; this thread still links every record
 * into the chain, hashes it and writes, in `log()` order. With encryption the worker encrypts too, with
 * derived keys sent per batch: the data keys, and the key file, stay on this thread. Only pipelines the
 * worker can run the same way use it: no inserted stages, plain-data options, the file ledger as the only exporter.
 *
 * @example
 * const ledger = createLedger({ dir: './promptledger-data' })
 * const id = ledger.log({ prompt: 'Hi', response: 'Hello!', model: 'gpt-4o', userId: 'user_123' })
 * await ledger.close()
 */
export class Ledger extends EventEmitter<LedgerEvents> {
  readonly options: ResolvedLedgerOptions
  readonly file: FileLedgerExporter
  #exporters: Exporter[]
  #stages: NamedStage[] = []
  #builder: BatchBuilder
  #hmacKey: Buffer
  /** null when the pipeline holds something the worker cannot run (see the class comment). */
  #buildThread: BuildThread | null = null
  #queue: PendingQueue
  #blocked: Array<{ item: Pending; resolve: (id: string) => void }> = []
  #inFlight = 0
  /** Calls accepted into the queue (or waiting to enter it), and calls whose batch has been written (or failed). */
  #accepted = 0
  #done = 0
  /** Batches taken from the queue whose write has not completed, in the order taken (what the exit rescue rebuilds). */
  #unwritten = new Set<Pending[]>()
  /** Records an earlier process rescued at exit, sealed by the first drain (see rescue-file.ts). */
  #rescued: Rescued | null = null
  /** Sealing other streams' rescued records (see #adoptOrphans); close() waits for it. */
  #adopting: Promise<void> = Promise.resolve()
  #fileOptions: FileLedgerOptions
  #timer: NodeJS.Timeout | null = null
  #immediate = false
  #draining: Promise<void> | null = null
  /** Set by close(): from then on log() refuses calls and flush() waits for it. */
  #closing: Promise<void> | null = null
  #warnedFull = false
  #unregister: () => void = () => {}
  #stats: LedgerStats = { queued: 0, written: 0, dropped: 0, invalid: 0, errors: 0, batches: 0, recovered: 0 }

  constructor(options: LedgerOptions = {}) {
    super()
    const o = resolveLedgerOptions(options)
    this.options = o
    // Opened first: a wrong master key must fail construction before any ledger file is written.
    const encryptor =
      o.encrypt === false
        ? null
        : openEncryptor({ dir: o.dir, persist: 'batch', ...(o.encrypt === true ? {} : o.encrypt) })
    const keyring = openKeyring(o.dir)
    this.#hmacKey =
      o.hmacKey ??
      Buffer.from(
        keyring.getOrCreate(HMAC_KEY_NAME, () => randomBytes(32).toString('base64')),
        'base64',
      )
    const fileOptions: FileLedgerOptions = {
      dir: o.dir,
      stream: o.stream,
      maxFileBytes: o.maxFileBytes,
      maxSegmentAgeMs: o.maxSegmentAgeMs,
      checkpointEvery: o.checkpointEvery,
      retention: o.retention,
      archive: o.archive,
      signer: checkpointSigner(keyring),
      onError: (err) =>
        this.#report(
          new PromptLedgerError('IO_ERROR', `sealing a segment failed: ${err.message}`, { cause: err }),
          false,
        ),
    }
    this.#fileOptions = fileOptions
    this.file = new FileLedgerExporter({
      ...fileOptions,
      onNote: (note) => {
        if (note.kind === 'torn-line' || note.kind === 'unfinished-seal' || note.kind === 'finished-seal') {
          this.#stats.recovered++
          // Reported after construction so that listeners attached right after createLedger() see it.
          process.nextTick(() => this.emit('warning', { message: `recovered: ${note.kind}`, file: note.file }))
        }
      },
    })
    // Extra exporters (and, later, the collector's HTTP exporter built from `endpoint`/`apiKey`).
    const collector = o.endpoint
      ? withSpool(withRetry(new HttpExporter({ endpoint: o.endpoint, ...(o.apiKey ? { apiKey: o.apiKey } : {}) })), {
          dir: o.dir,
          onDrop: (n) =>
            this.#report(new PromptLedgerError('EXPORT_FAILED', `collector spool full: dropped ${n} records`), false),
        })
      : null
    this.#exporters = [this.file, ...(collector ? [collector] : []), ...o.exporters]
    // Signals read the raw text (placeholders would hide phrases); they hold no content, only flags and counts.
    if (o.signals !== false) this.#stages.push(signalsStage(o.signals))
    if (o.redact !== false) this.#stages.push(redactStage(o.redact))
    if (encryptor) this.#stages.push(encryptStage(encryptor))
    this.#builder = new BatchBuilder(new Chain(this.file.head), {
      stages: this.#stages,
      hmacKey: this.#hmacKey,
      redacted: o.redact !== false,
      keepRecords: this.#exporters.length > 1,
      onInvalid: (err) => this.#report(err, true),
    })
    this.#queue = new PendingQueue(o.queue.maxRecords, o.queue.maxBytes)
    if (
      o.buildThread &&
      availableParallelism() > 1 && // on one core a second thread only adds the copy to it
      this.#exporters.length === 1 &&
      isPlainData(o.signals) &&
      isPlainData(o.redact)
    ) {
      this.#buildThread = openBuildThread(
        { stream: o.stream, hmacKey: new Uint8Array(this.#hmacKey), signals: o.signals, redact: o.redact },
        (err) => {
          this.#buildThread = null
          this.#report(
            new PromptLedgerError('IO_ERROR', `${err.message}; batches are built in-thread from now on`, {
              cause: err,
            }),
            false,
          )
        },
        encryptor,
      )
    }
    this.#rescued = readRescues(this.file.streamDir)
    if (this.#rescued !== null) {
      const { records, alreadyWritten, unreadable, files } = this.#rescued
      this.#stats.recovered += records.length
      process.nextTick(() => {
        const skipped = alreadyWritten > 0 ? `, ${alreadyWritten} found written already` : ''
        const bad = unreadable > 0 ? `, ${unreadable} unreadable lines left out` : ''
        this.emit('warning', {
          message: `recovered: ${records.length} calls rescued at an earlier process's exit${skipped}${bad}`,
          file: files[0]!,
        })
      })
      setImmediate(() => void this.#drain())
    }
    this.#adopting = this.#adoptOrphans()
    if (o.handleExit) this.#unregister = registerExitFlush(this)
  }

  /**
   * Adds a record stage before sealing. `after` names the stage it follows (default: the last one), so
   * encryption goes after `redact` (the order is signals → redact → encrypt → seal).
   *
   * @example ledger.insertStage({ name: 'encrypt', run: (r) => encryptor.encrypt(r) }, 'redact')
   */
  insertStage(stage: NamedStage, after?: string): void {
    // The worker cannot run a function given here: later batches are built in-thread.
    this.#buildThread?.close()
    this.#buildThread = null
    const at = after === undefined ? -1 : this.#stages.findIndex((s) => s.name === after)
    if (at < 0) this.#stages.push(stage)
    else this.#stages.splice(at + 1, 0, stage)
  }

  /**
   * Records one call. Returns the record's id at once; never throws and never waits for I/O.
   * In `block` policy with a full queue it returns a promise that resolves with the id once queued.
   */
  log(input: LogInput): string | Promise<string> {
    const now = Date.now()
    const id = uuidv7(now)
    try {
      if (this.#closing !== null) {
        this.#refuse(id, 'closed')
        return id
      }
      const item: Pending = { id, input, loggedAt: now, bytes: estimateBytes(input) }
      if (!this.#queue.hasRoom(item.bytes) || this.#blocked.length > 0) {
        if (this.options.queue.policy === 'block') {
          this.#accepted++
          const waiting = new Promise<string>((resolve) => this.#blocked.push({ item, resolve }))
          this.#schedule()
          return waiting
        }
        this.#refuse(id, 'queue-full')
        return id
      }
      this.#accepted++
      this.#queue.push(item)
      this.#schedule()
    } catch (err) {
      this.#report(new PromptLedgerError('INVALID_INPUT', 'log() could not queue the call', { cause: err }), true)
    }
    return id
  }

  /**
   * Wraps an async function: each call is timed and logged (prompt = first argument, response = result,
   * unless extractors say otherwise); errors are logged as `status: error` and rethrown unchanged.
   */
  wrap<A extends unknown[], R, T = unknown>(fn: (this: T, ...args: A) => R, opts: WrapOptions<A, Awaited<R>> = {}) {
    return wrapFunction(this, fn, opts)
  }

  /**
   * Resolves when everything logged before it is written and fsynced. On a closing or closed ledger it waits for the
   * close, which writes all of it (the exporters are shut then: there is nothing left to flush).
   */
  async flush(): Promise<void> {
    if (this.#closing) return this.#closing
    await this.#drainAndFlush()
  }

  async #drainAndFlush(): Promise<void> {
    // Everything accepted so far, and nothing later (a busy app would keep a flush waiting forever): a drain under way
    // may have found the queue empty just before a call arrived (it was waiting for its last write), and another
    // flush may have started the drain that took it; either way this one waits until that call is done too.
    const target = this.#accepted
    do await this.#drain()
    while (
      this.#rescued !== null ||
      (this.#done < target && this.#queue.length + this.#blocked.length + this.#inFlight > 0)
    )
    await Promise.all(this.#exporters.map((e) => e.flush()))
  }

  /** Flushes, shuts the exporters down and stops the exit hooks; later `log()` calls are dropped. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#drainAndFlush()
      await this.#adopting
      this.#unregister()
      await Promise.all(this.#exporters.map((e) => e.shutdown()))
      this.#buildThread?.close()
    })()
    return this.#closing
  }

  stats(): LedgerStats {
    return { ...this.#stats, queued: this.#queue.length + this.#blocked.length + this.#inFlight }
  }

  /** Whether calls are waiting to be written (used by the exit hooks). */
  hasPending(): boolean {
    return this.#queue.length + this.#blocked.length + this.#inFlight > 0 || this.#rescued !== null
  }

  /**
   * The exit hook's last resort (see rescue-file.ts): builds every call not yet known written on this thread,
   * through the same stages, and writes the records to a rescue file that the next ledger opened on the stream
   * seals. Synchronous: it runs in `process.on('exit')`. Returns how many records it wrote there.
   */
  rescue(): number {
    const items: Pending[] = []
    for (const batch of this.#unwritten) for (const item of batch) items.push(item)
    for (const item of this.#queue.take(this.#queue.length)) items.push(item)
    for (const { item } of this.#blocked.splice(0)) items.push(item)
    if (items.length === 0) return 0
    const records: UnsealedRecord[] = []
    for (const item of items) {
      const record = this.#builder.prepareOne(item)
      if (record !== null) records.push(record)
    }
    // New data keys reach the key file before any record encrypted with them reaches the disk.
    for (const stage of this.#stages) stage.commit?.()
    if (records.length > 0) writeRescue(this.file.streamDir, this.options.stream, this.file.head.seq, records)
    return records.length
  }

  #schedule(): void {
    // A full batch, or a full queue (callers are waiting or dropping), is worth draining right away.
    if (this.#queue.length >= this.options.batch.maxRecords || this.#blocked.length > 0 || !this.#queue.hasRoom(0)) {
      if (!this.#immediate) {
        this.#immediate = true
        setImmediate(() => {
          this.#immediate = false
          void this.#drain()
        })
      }
    } else if (this.#timer === null && this.#draining === null) {
      this.#timer = setTimeout(() => void this.#drain(), this.options.batch.maxDelayMs)
      this.#timer.unref() // the exit hooks flush; a pending batch alone must not keep the process alive
    }
  }

  #drain(): Promise<void> {
    if (this.#timer !== null) {
      clearTimeout(this.#timer)
      this.#timer = null
    }
    if (this.#draining) return this.#draining
    this.#draining = this.#drainLoop().finally(() => {
      this.#draining = null
      if (this.#queue.length > 0) this.#schedule()
    })
    return this.#draining
  }

  async #drainLoop(): Promise<void> {
    let writing: Promise<void> | null = null
    let committed: Promise<boolean> | null = null
    // Batches taken and not yet sealed, oldest first: built here (records) or by the worker (bodies).
    const taken: TakenBatch[] = []
    if (this.#rescued !== null) await this.#sealRescued(this.#rescued)
    while (this.#queue.length > 0 || this.#blocked.length > 0 || taken.length > 0) {
      if ((this.#queue.length > 0 || this.#blocked.length > 0) && taken.length < MAX_TAKEN) {
        this.#admitBlocked()
        const items = this.#queue.take(this.options.batch.maxRecords)
        this.#inFlight += items.length
        this.#unwritten.add(items)
        this.#admitBlocked()
        // With another batch waiting and room at the worker, the worker takes this one and this thread
        // builds the next ones meanwhile: it never waits for the worker while there is work of its own.
        let room = this.#workerHasRoom(taken)
        if (!room && this.#buildThread !== null && this.#queue.length > 0) {
          // The worker's finished batches are seen only once this thread returns to the event loop: without
          // a look, this thread built batch after batch while the worker sat idle with its answers in the queue.
          await yieldToLoop()
          room = this.#workerHasRoom(taken)
        }
        const bodies = room ? this.#offload(items) : null
        if (bodies) {
          const batch: TakenBatch = { items, bodies, building: true, prepared: null }
          void bodies.then(() => {
            batch.building = false
          })
          taken.push(batch)
          continue
        }
        taken.push({
          items,
          bodies: null,
          building: false,
          prepared: await this.#builder.prepareSliced(items, SLICE_MS),
        })
        if (taken[0]!.building && this.#queue.length > 0 && taken.length < MAX_TAKEN) continue
      }
      // Batch N+1 is sealed while batch N is being written: the CPU work overlaps the I/O, which otherwise
      // waits for a thread-pool slot behind background gzips. Batches are sealed and exported in order.
      const oldest = taken.shift()!
      // The previous batch's stage commits (new data keys, written off the event loop) settle before this
      // batch is sealed: when they fail, that batch is dropped and the chain goes back to the file's head.
      if (committed) await committed
      let batch: SealedBatch
      if (oldest.bodies) {
        const bodies = await oldest.bodies
        batch = this.#builder.sealBodies(oldest.items, bodies)
        if (bodies) this.#buildThread?.recycle(bodies.bytes)
      } else batch = await this.#builder.sealSliced(oldest.prepared ?? NOTHING_PREPARED, SLICE_MS)
      if (writing) await writing
      const next = this.#write(batch, oldest.items)
      committed = next.committed
      writing = next.written
    }
    if (writing) await writing
  }

  /** Seals what an earlier process rescued, ahead of this ledger's calls; the files go once it is durable. */
  async #sealRescued(rescued: Rescued): Promise<void> {
    const { records, files } = rescued
    const expected = this.file.head.seq + records.length
    let batch: SealedBatch
    try {
      batch = this.#builder.seal({ records, canonical: new Uint8Array(records.length) })
    } catch (err) {
      this.#rescued = null
      this.#report(
        new PromptLedgerError(
          'IO_ERROR',
          `the rescue file ${files[0]} could not be sealed: ${(err as Error).message}`,
          {
            cause: err,
          },
        ),
        false,
      )
      return
    }
    await this.#write(batch, []).written
    this.#rescued = null
    // A failed write was reported; the files stay, and the next open seals what did not reach the segment.
    if (this.file.head.seq < expected) return
    await this.file.flush()
    removeRescues(this.file.streamDir, files)
  }

  /** Seals other streams' rescued records (see orphan-rescues.ts); the exporters beside the file ledger get them too. */
  async #adoptOrphans(): Promise<void> {
    await yieldToLoop() // after the constructor: its listeners see the warnings
    const orphans = sealOrphanRescues({
      file: this.#fileOptions,
      hmacKey: this.#hmacKey,
      redacted: this.options.redact !== false,
      keepRecords: this.#exporters.length > 1,
      onInvalid: (err) => this.#report(err, true),
    })
    for await (const outcome of orphans) {
      if ('error' in outcome) {
        const message = `sealing the calls rescued in stream ${outcome.stream} failed: ${outcome.error.message}`
        this.#report(new PromptLedgerError('IO_ERROR', message, { cause: outcome.error }), false)
        continue
      }
      if (outcome.records !== null) await this.#exportBeside(outcome.records)
      this.emit('warning', {
        message: `recovered: ${outcome.rescued.records.length} calls rescued at the exit of the process that wrote stream ${outcome.stream}`,
        file: outcome.rescued.files[0]!,
      })
    }
  }

  #write(batch: SealedBatch, items: Pending[]): { committed: Promise<boolean>; written: Promise<void> } {
    const committed = batch.count > 0 ? this.#commitStages(batch.count) : Promise.resolve(false)
    const written = committed
      .then((ready) => (ready ? this.#export(batch) : undefined))
      .then(() => {
        this.#inFlight -= items.length
        this.#done += items.length
        this.#unwritten.delete(items)
        this.#stats.batches++
      })
    return { committed, written }
  }

  /** With another batch waiting and room at the worker, the worker takes this one (see #drainLoop). */
  #workerHasRoom(taken: readonly TakenBatch[]): boolean {
    if (this.#buildThread === null || this.#queue.length === 0) return false
    let building = 0
    for (const t of taken) if (t.building) building++
    return building < WORKER_BATCHES
  }

  /** Posts a batch to the worker; null when it is not ready or the inputs cannot be cloned (built here then). */
  #offload(items: Pending[]): Promise<BodyBatch | null> | null {
    // The worker sees a structured clone: a batch with an input that would not clone to the same data is built here.
    for (let i = 0; i < items.length; i++) if (!isPlainData(items[i]!.input)) return null
    try {
      // A lost worker is reported once (see the constructor); the batches it held are built here instead.
      return this.#buildThread!.build(items)?.catch(() => null) ?? null
    } catch {
      return null
    }
  }

  /** For tests: the handle on the build worker, null when this pipeline builds in-thread only. */
  get [BUILD_THREAD](): BuildThread | null {
    return this.#buildThread
  }

  #admitBlocked(): void {
    while (
      this.#blocked.length > 0 &&
      (this.#queue.length === 0 || this.#queue.hasRoom(this.#blocked[0]!.item.bytes))
    ) {
      const { item, resolve } = this.#blocked.shift()!
      this.#queue.push(item)
      resolve(item.id)
    }
  }

  /** Stage commits (new data keys) before the batch is written; on failure the batch is dropped, not written unreadable. */
  async #commitStages(records: number): Promise<boolean> {
    try {
      // Asynchronous where a stage offers it: a new user's data key then costs the event loop no fsync.
      for (const stage of this.#stages) await (stage.commitAsync ? stage.commitAsync() : stage.commit?.())
      return true
    } catch (err) {
      this.#report(
        new PromptLedgerError(
          'EXPORT_FAILED',
          `a batch of ${records} records was not written: ${(err as Error).message}`,
          { cause: err },
        ),
        false,
      )
      this.#builder.chain = new Chain(this.file.head) // the sealed batch never reached disk
      return false
    }
  }

  async #export({ count, lines, records }: SealedBatch): Promise<void> {
    // Exporters must resolve, but a third-party one that rejects is reported like a failed export.
    const results = await Promise.all(
      this.#exporters.map((e) => settled(e === this.file ? this.file.exportBuffer(lines) : e.export(records ?? []))),
    )
    results.forEach((r, i) => {
      if (r.ok) {
        if (i === 0) this.#stats.written += count
        return
      }
      this.#reportExport(i, r.error)
      if (i === 0) this.#builder.chain = new Chain(this.file.head) // continue the chain from what is on disk
    })
  }

  /** Sends records sealed into another stream's file (see #adoptOrphans) to the exporters beside the file ledger. */
  async #exportBeside(records: readonly LedgerRecord[]): Promise<void> {
    for (let i = 1; i < this.#exporters.length; i++) {
      const r = await settled(this.#exporters[i]!.export(records))
      if (!r.ok) this.#reportExport(i, r.error)
    }
  }

  #reportExport(i: number, error: Error): void {
    this.#report(
      new PromptLedgerError('EXPORT_FAILED', `exporter ${i} failed: ${error.message}`, { cause: error }),
      false,
    )
  }

  #refuse(id: string, reason: 'queue-full' | 'closed'): void {
    this.#stats.dropped++
    if (reason === 'queue-full' && !this.#warnedFull) {
      this.#warnedFull = true
      this.emit('warning', { message: `queue full (${this.options.queue.maxRecords} records): dropping calls` })
    }
    this.emit('drop', { id, reason })
  }

  #report(err: PromptLedgerError, invalid: boolean): void {
    if (invalid) this.#stats.invalid++
    else this.#stats.errors++
    // EventEmitter throws an unhandled 'error'; the ledger must not, so it only emits to listeners.
    if (this.listenerCount('error') > 0) this.emit('error', err)
  }
}

/** An exporter's outcome; one that rejects (exporters must resolve, a third-party one may not) counts as failed. */
function settled(result: Promise<ExportResult>): Promise<ExportResult> {
  return result.catch((error: unknown) => ({
    ok: false as const,
    error: error instanceof Error ? error : new Error(String(error)),
    retryable: false,
  }))
}

/**
 * Creates a ledger; every option is optional. Throws `CONFIG_INVALID` on bad options.
 *
 * @example
 * const ledger = createLedger({ dir: './promptledger-data', redact: { terms: ['password'] } })
 */
export function createLedger(options?: LedgerOptions): Ledger {
  return new Ledger(options)
}
