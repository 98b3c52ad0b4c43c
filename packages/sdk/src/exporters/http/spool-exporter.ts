import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { PromptLedgerError } from '../../errors.js'
import type { LedgerRecord } from '../../record/schema.js'
import type { Exporter, ExportResult } from '../exporter.js'

export interface SpoolOptions {
  /** Data folder; batches are kept in `<dir>/spool/`. */
  dir: string
  /** Most bytes kept on disk; past it the oldest batches are dropped and counted. Default 64 MiB. */
  maxBytes?: number
  /** Wait before retrying delivery of the spool, doubling up to `maxRetryDelayMs`. Default 200 ms. */
  retryDelayMs?: number
  maxRetryDelayMs?: number
  /** Told about records dropped because the spool was full (and how many so far). */
  onDrop?: (dropped: number, total: number) => void
  /** Told about each failed delivery attempt of the spool (the collector still down, or a rejected batch). */
  onError?: (error: Error) => void
}

export interface SpoolStats {
  /** Batches waiting on disk. */
  pendingBatches: number
  pendingBytes: number
  /** Records dropped because the spool was full. */
  droppedRecords: number
  /** Batches the collector refused (non-retryable); kept as `*.rejected` files for inspection. */
  rejectedBatches: number
}

interface SpoolFile {
  name: string
  bytes: number
  records: number
}

const SUFFIX = '.ndjson'

/**
 * Wraps an exporter so batches survive a collector outage: a batch the inner exporter cannot deliver
 * (retryable failure) is written to `<dir>/spool/` (0600 files, fsynced) and delivered in order once the
 * collector is back; a spool file is deleted only after a 2xx. While the spool is not empty, new batches
 * join its end so order is kept. Batches left on disk by a previous process are delivered at start.
 *
 * @example
 * const exporter = withSpool(withRetry(new HttpExporter({ endpoint })), { dir: './promptledger-data' })
 */
export class SpoolExporter implements Exporter {
  readonly #inner: Exporter
  readonly #dir: string
  readonly #maxBytes: number
  readonly #options: SpoolOptions
  readonly #files: SpoolFile[] = []
  #bytes = 0
  #counter = 0
  #dropped = 0
  #rejected = 0
  #ready: Promise<void>
  #queue: Promise<unknown> = Promise.resolve()
  #draining: Promise<void> | null = null
  #timer: NodeJS.Timeout | null = null
  #delay: number
  #closed = false
  readonly #idleWaiters: Array<() => void> = []

  constructor(inner: Exporter, options: SpoolOptions) {
    this.#inner = inner
    this.#options = options
    this.#dir = join(options.dir, 'spool')
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024
    this.#delay = options.retryDelayMs ?? 200
    this.#ready = this.#load()
  }

  async #load(): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 })
    const names = (await readdir(this.#dir)).filter((n) => n.endsWith(SUFFIX)).sort()
    for (const name of names) {
      const bytes = (await stat(join(this.#dir, name))).size
      this.#files.push({ name, bytes, records: -1 })
      this.#bytes += bytes
      this.#counter = Math.max(this.#counter, Number.parseInt(name, 10) || 0)
    }
    if (this.#files.length > 0) this.#kick(0)
  }

  /** Serialises spool mutations (concurrent export calls, the drain loop). */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn)
    this.#queue = run.catch(() => undefined)
    return run
  }

  async export(batch: readonly LedgerRecord[]): Promise<ExportResult> {
    if (this.#closed)
      return { ok: false, error: new PromptLedgerError('CLOSED', 'exporter is shut down'), retryable: false }
    await this.#ready
    if (this.#files.length === 0 && !this.#draining) {
      const result = await this.#inner.export(batch)
      if (result.ok || !result.retryable) return result
    }
    try {
      await this.#serial(() => this.#write(batch))
    } catch (cause) {
      return {
        ok: false,
        retryable: true,
        error: new PromptLedgerError('IO_ERROR', 'could not spool a batch', { cause }),
      }
    }
    this.#kick(this.#delay)
    return { ok: true }
  }

  async #write(batch: readonly LedgerRecord[]): Promise<void> {
    const text = batch.map((r) => JSON.stringify(r)).join('\n') + '\n'
    const bytes = Buffer.byteLength(text)
    // Bounded: drop the oldest batches (counted and reported) rather than fill the disk.
    let freed = 0
    while (this.#files.length > 0 && this.#bytes + bytes > this.#maxBytes) {
      const oldest = this.#files.shift()!
      this.#bytes -= oldest.bytes
      const records = oldest.records >= 0 ? oldest.records : await countLines(join(this.#dir, oldest.name))
      await unlink(join(this.#dir, oldest.name))
      freed += records
    }
    if (this.#bytes + bytes > this.#maxBytes) {
      freed += batch.length
      this.#reportDrop(freed)
      return
    }
    if (freed > 0) this.#reportDrop(freed)
    const name = `${String(++this.#counter).padStart(16, '0')}${SUFFIX}`
    const tmp = join(this.#dir, `${name}.tmp`)
    const handle = await open(tmp, 'w', 0o600)
    try {
      await handle.writeFile(text)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, join(this.#dir, name))
    this.#files.push({ name, bytes, records: batch.length })
    this.#bytes += bytes
  }

  #reportDrop(records: number): void {
    this.#dropped += records
    this.#options.onDrop?.(records, this.#dropped)
  }

  #kick(delay: number): void {
    if (this.#closed || this.#timer || this.#draining) return
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.#draining = this.#drain().finally(() => {
        this.#draining = null
        if (this.#files.length > 0) this.#kick(this.#delay)
        else for (const resolve of this.#idleWaiters.splice(0)) resolve()
      })
    }, delay)
  }

  /** Delivers spool files oldest first; stops at the first retryable failure and backs off. */
  async #drain(): Promise<void> {
    while (!this.#closed) {
      const file = this.#files[0]
      if (!file) {
        this.#delay = this.#options.retryDelayMs ?? 200
        return
      }
      const path = join(this.#dir, file.name)
      const records = (await readFile(path, 'utf8'))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as LedgerRecord)
      const result = await this.#inner.export(records)
      if (!result.ok && result.retryable) {
        this.#options.onError?.(result.error)
        this.#delay = Math.min(this.#delay * 2, this.#options.maxRetryDelayMs ?? 5_000)
        return
      }
      await this.#serial(async () => {
        if (this.#files[0] !== file) return // dropped meanwhile by the size bound
        this.#files.shift()
        this.#bytes -= file.bytes
        if (result.ok) await unlink(path)
        else {
          this.#rejected++
          this.#options.onError?.(result.error)
          await rename(path, `${path}.rejected`)
        }
      })
    }
  }

  /** Resolves once the spool is empty (every spooled batch acknowledged). */
  async drained(): Promise<void> {
    await this.#ready
    if (this.#files.length === 0 && !this.#draining) return
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve))
  }

  stats(): SpoolStats {
    return {
      pendingBatches: this.#files.length,
      pendingBytes: this.#bytes,
      droppedRecords: this.#dropped,
      rejectedBatches: this.#rejected,
    }
  }

  async flush(): Promise<void> {
    // Spooled batches are fsynced before export() resolves: waiting for pending writes makes them durable.
    await this.#ready
    await this.#queue
    await this.#inner.flush()
  }

  async shutdown(): Promise<void> {
    if (this.#closed) return
    await this.flush()
    this.#closed = true
    if (this.#timer) clearTimeout(this.#timer)
    await this.#draining
    for (const resolve of this.#idleWaiters.splice(0)) resolve()
    await this.#inner.shutdown()
  }
}

async function countLines(path: string): Promise<number> {
  const text = await readFile(path, 'utf8')
  let n = 0
  for (const line of text.split('\n')) if (line !== '') n++
  return n
}

/** See `SpoolExporter`. */
export function withSpool(inner: Exporter, options: SpoolOptions): SpoolExporter {
  return new SpoolExporter(inner, options)
}
