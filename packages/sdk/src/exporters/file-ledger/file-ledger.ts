import { closeSync, existsSync, fsync, openSync, readFileSync, write, writeSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { writeFileAtomic } from '../../crypto/secure-file.js'
import { PromptLedgerError } from '../../errors.js'
import type { LedgerRecord } from '../../record/schema.js'
import type { ChainHead } from '../../seal/chain.js'
import { type Checkpoint, type CheckpointSigner, PUBLIC_KEY_FILE } from '../../seal/checkpoint.js'
import { type EncodedParts, encodeRecordParts, partsByteLength, writeParts } from '../../seal/encode-record.js'
import type { Exporter, ExportResult } from '../exporter.js'
import { type RecoveryNote, recoverStream } from './recover.js'
import { applyRetention, compactCheckpointLog, type RetentionPolicy } from './retention.js'
import { sealSegment } from './seal-segment.js'
import { ACTIVE_EXT, CHECKPOINTS_FILE, segmentBase } from './segment-files.js'

const fsyncAsync = promisify(fsync)
const writeAsync = (fd: number, buf: Buffer, offset: number, length: number, position: null) =>
  new Promise<number>((resolve, reject) =>
    write(fd, buf, offset, length, position, (err, n) => (err ? reject(err) : resolve(n))),
  )
/** Segments up to this size are kept in memory while active, for the seal (see `#written`). */
const MAX_KEPT_SEGMENT_BYTES = 16 * 1024 * 1024

export interface FileLedgerOptions {
  /** Data dir; the stream's segments go to `<dir>/<stream>/`. */
  dir: string
  stream: string
  /** A segment is sealed before it would grow past this many bytes. */
  maxFileBytes: number
  /** A segment older than this is sealed before the next write. */
  maxSegmentAgeMs: number
  /** A signed checkpoint is written after this many records (and at every seal and close). */
  checkpointEvery: number
  retention: RetentionPolicy
  signer: CheckpointSigner
  /** Repairs made on open, sealed segments, removed archives: reported, never silent. */
  onNote?: (note: RecoveryNote | { kind: 'sealed' | 'retention-removed'; file: string }) => void
  /** A background seal or retention pass failed; the segment stays as `.ndjson` and is sealed on next open. */
  onError?: (err: Error) => void
}

/**
 * The embedded ledger: append-only NDJSON segments, sealed on rotation to an archive (`.ndjson.gz`, or
 * `.ndjson.br` for encrypted records) + manifest, signed checkpoints, retention from the oldest end. Opening recovers from a crash synchronously.
 * All file operations run one after another on an internal promise chain.
 *
 * @example
 * const file = new FileLedgerExporter({ dir, stream: 'app', maxFileBytes: 1 << 20, … })
 * const chain = new Chain(file.head)
 */
export class FileLedgerExporter implements Exporter {
  readonly streamDir: string
  readonly recovered: readonly RecoveryNote[]
  #o: FileLedgerOptions
  #head: ChainHead
  #fd: number | null = null
  #base = ''
  #size = 0
  #createdMs = 0
  #cpFd: number
  /** Descriptors of checkpoint logs replaced by compaction, closed by the next #sync. */
  #retiredCpFds: number[] = []
  #lastCheckpoint: number
  #ops: Promise<unknown> = Promise.resolve()
  /** Seals and retention run here, one after another, beside the write path (see #rotate). */
  #background: Promise<void> = Promise.resolve()
  /** fsyncs of segments closed by rotation, not yet awaited by a flush. */
  #rotatedSync: Promise<void> = Promise.resolve()
  #closed = false
  #scratch = Buffer.alloc(0)
  /**
   * The active segment's bytes as appended by this process (null when it was continued after a restart,
   * or outgrew the buffer): the seal compresses these, not the file, and signs the archive's digest.
   */
  #written: Buffer | null = null
  #writtenLength = 0
  /** Segment buffers whose seal finished, reused for the next segments (no 1 MiB allocation per segment). */
  #spare: Buffer[] = []

  constructor(options: FileLedgerOptions) {
    this.#o = options
    this.streamDir = path.join(options.dir, options.stream)
    const r = recoverStream(this.streamDir, options.stream)
    this.recovered = r.notes
    for (const note of r.notes) options.onNote?.(note)
    this.#head = r.head
    this.#lastCheckpoint = r.lastCheckpointSeq
    this.#cpFd = openSync(path.join(this.streamDir, CHECKPOINTS_FILE), 'a', 0o600)
    writePublicKey(options.dir, options.signer.publicKeyPem)
    for (const base of r.pendingSeal) this.#inBackground(() => this.#seal(base))
    if (r.active) {
      this.#base = r.active.base
      this.#size = r.active.size
      this.#createdMs = r.active.createdMs
      this.#fd = openSync(path.join(this.streamDir, r.active.base + ACTIVE_EXT), 'a', 0o600)
    }
    this.#inBackground(() => this.#retention())
  }

  /** Head of the chain on disk: the next record must have seq `head.seq + 1` and prev_hash `head.hash`. */
  get head(): ChainHead {
    return { ...this.#head }
  }

  export(batch: readonly LedgerRecord[]): Promise<ExportResult> {
    return this.exportLines(batch)
  }

  /**
   * `export` with the records' canonical lines already made by the seal stage (`Chain.sealParts`),
   * so that a record is serialized once on its way to disk. `lines[i]` must be `batch[i]`'s line.
   */
  exportLines(batch: readonly LedgerRecord[], lines?: readonly EncodedParts[]): Promise<ExportResult> {
    if (this.#closed)
      return Promise.resolve({
        ok: false,
        error: new PromptLedgerError('CLOSED', 'file ledger is closed'),
        retryable: false,
      })
    return this.#enqueue(() => this.#write(batch, lines)).then(
      () => ({ ok: true }) as const,
      (error: Error) => ({
        ok: false,
        error,
        retryable: !(error instanceof PromptLedgerError && error.code === 'CHAIN_BROKEN'),
      }),
    )
  }

  flush(): Promise<void> {
    return this.#enqueue(() => this.#sync())
  }

  shutdown(): Promise<void> {
    if (this.#closed) return this.#ops.then(() => undefined)
    this.#closed = true
    return this.#enqueue(async () => {
      await this.#sync()
      await this.#background
      if (this.#head.seq > this.#lastCheckpoint) await this.#checkpoint()
      await fsyncAsync(this.#cpFd)
      if (this.#fd !== null) closeSync(this.#fd)
      closeSync(this.#cpFd)
      for (const fd of this.#retiredCpFds.splice(0)) closeSync(fd)
      this.#fd = null
    })
  }

  #enqueue<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#ops.then(op)
    this.#ops = run.catch(() => undefined)
    return run
  }

  async #write(batch: readonly LedgerRecord[], lines?: readonly EncodedParts[]): Promise<void> {
    const now = Date.now()
    // Lines are gathered and copied once into one buffer per write: `+=` or `join` on thousands of
    // concatenated strings made V8 flatten each of them (measured: the costliest step of the write path).
    let chunk: EncodedParts[] = []
    let chunkBytes = 0
    let head = this.#head
    for (let i = 0; i < batch.length; i++) {
      const record = batch[i]!
      if (record.seq !== head.seq + 1 || record.prev_hash !== head.hash) {
        if (chunk.length > 0) await this.#append(chunk, chunkBytes, head)
        throw new PromptLedgerError(
          'CHAIN_BROKEN',
          `record seq ${record.seq} does not continue stream ${head.stream} at seq ${head.seq}`,
        )
      }
      const line = lines?.[i] ?? encodeRecordParts(record)
      const bytes = partsByteLength(line) + 1
      if (this.#fd !== null && this.#size > 0) {
        if (this.#size + bytes > this.#o.maxFileBytes || now - this.#createdMs >= this.#o.maxSegmentAgeMs) {
          if (chunk.length > 0) await this.#append(chunk, chunkBytes, head)
          chunk = []
          chunkBytes = 0
          await this.#rotate()
        }
      }
      if (this.#fd === null) this.#open(record.seq, now)
      chunk.push(line)
      chunkBytes += bytes
      this.#size += bytes
      head = { stream: head.stream, seq: record.seq, hash: record.hash }
    }
    if (chunk.length > 0) await this.#append(chunk, chunkBytes, head)
    if (this.#head.seq - this.#lastCheckpoint >= this.#o.checkpointEvery) await this.#checkpoint()
  }

  async #append(lines: EncodedParts[], bytes: number, head: ChainHead): Promise<void> {
    // One write per batch: a crash tears at most the batch's last line, which opening cuts off.
    // Durability comes from the async fsync in flush(), which stays off this thread.
    // Lines go into the segment's buffer (kept for the seal) or else into one scratch buffer reused for
    // every batch: a fresh 1 MB buffer per batch is external memory that only a full GC returns.
    let buf: Buffer
    let start: number
    if (this.#written !== null && this.#writtenLength + bytes <= this.#written.length) {
      buf = this.#written
      start = this.#writtenLength
    } else {
      this.#written = null // outgrown: this segment is sealed from the file, without an archive claim
      if (this.#scratch.length < bytes) this.#scratch = Buffer.allocUnsafe(Math.max(bytes, this.#scratch.length * 2))
      buf = this.#scratch
      start = 0
    }
    let o = start
    for (let i = 0; i < lines.length; i++) o = writeParts(lines[i]!, buf, o)
    try {
      if (buf === this.#written) {
        // The segment buffer's region stays untouched until the write is done, so it can go to the
        // thread pool: the caller builds and seals the next batch meanwhile (ledger.ts). Measured: a
        // synchronous 1 MB write cost the building thread about as much as sealing the batch.
        for (let done = start; done < o; ) done += await writeAsync(this.#fd!, buf, done, o - done, null)
      } else {
        for (let done = start; done < o; ) done += writeSync(this.#fd!, buf, done, o - done)
      }
    } catch (err) {
      this.#written = null // the file may now differ from the buffer: never sign the buffer for it
      throw err
    }
    if (buf === this.#written) this.#writtenLength = o
    this.#head = head
  }

  #open(firstSeq: number, now: number): void {
    this.#base = segmentBase(firstSeq, now)
    this.#createdMs = now
    this.#size = 0
    this.#fd = openSync(path.join(this.streamDir, this.#base + ACTIVE_EXT), 'a', 0o600)
    // Kept up to a bound: past it a segment costs its size in memory, and is sealed from the file instead.
    if (this.#o.maxFileBytes <= MAX_KEPT_SEGMENT_BYTES) {
      this.#written = this.#spare.pop() ?? Buffer.allocUnsafe(this.#o.maxFileBytes)
      this.#writtenLength = 0
    }
  }

  async #rotate(): Promise<void> {
    const fd = this.#fd!
    this.#fd = null
    // The closed segment's fsync runs beside the next writes; flush() waits for it (see #sync).
    const synced = fsyncAsync(fd).finally(() => closeSync(fd))
    this.#rotatedSync = Promise.all([this.#rotatedSync, synced]).then(() => undefined)
    // Sealing (gzip, fsyncs, manifest) takes far longer than appending; it runs in the background so
    // the write path goes on at once in a new segment. The closed segment is already durable, and a
    // crash mid-seal leaves a state that opening finishes (recover.ts).
    const base = this.#base
    const kept = this.#written
    const written = kept?.subarray(0, this.#writtenLength)
    this.#written = null
    this.#inBackground(async () => {
      await synced
      await this.#seal(base, written)
      if (kept && this.#spare.length < 2) this.#spare.push(kept)
      await this.#retention()
    })
  }

  #inBackground(op: () => Promise<void>): void {
    this.#background = this.#background.then(op).catch((err: Error) => this.#o.onError?.(err))
  }

  async #seal(base: string, written?: Buffer): Promise<void> {
    const manifest = await sealSegment(
      this.streamDir,
      base,
      (head) => this.#o.signer.sign({ stream: this.#o.stream, ...head }),
      written,
    )
    // The checkpoint log keeps its plain form (seq and head): the archive claim lives in the manifest.
    const { archive, ...plain } = manifest.checkpoint
    await this.#appendCheckpoint(archive ? this.#o.signer.sign(plain, plain.ts) : manifest.checkpoint)
    this.#o.onNote?.({ kind: 'sealed', file: manifest.file })
  }

  async #retention(): Promise<void> {
    const removed = applyRetention(this.streamDir, this.#o.retention, this.#size)
    for (const file of removed) this.#o.onNote?.({ kind: 'retention-removed', file })
    if (removed.length > 0 && compactCheckpointLog(this.streamDir)) {
      // Appends go to the rewritten log from now on; the old descriptor may still be in an fsync of
      // #sync, so it is closed by the next #sync (or shutdown), never here.
      this.#retiredCpFds.push(this.#cpFd)
      this.#cpFd = openSync(path.join(this.streamDir, CHECKPOINTS_FILE), 'a', 0o600)
    }
  }

  async #checkpoint(): Promise<void> {
    await this.#appendCheckpoint(this.#o.signer.sign(this.#head))
  }

  async #appendCheckpoint(cp: Checkpoint): Promise<void> {
    if (cp.seq <= this.#lastCheckpoint) return
    // Synchronous, like the record appends: a copy into the page cache. An async write waited in the
    // thread pool behind gzips and fsyncs and left the write path idle; #sync makes it durable.
    writeSync(this.#cpFd, `${JSON.stringify(cp)}\n`)
    this.#lastCheckpoint = cp.seq
  }

  async #sync(): Promise<void> {
    const retired = this.#retiredCpFds.splice(0)
    // Records first, then checkpoints: a checkpoint never names a record that is not durable.
    if (this.#fd !== null) await fsyncAsync(this.#fd)
    await this.#rotatedSync
    await fsyncAsync(this.#cpFd)
    for (const fd of retired) closeSync(fd)
  }
}

function writePublicKey(dir: string, pem: string): void {
  const file = path.join(dir, PUBLIC_KEY_FILE)
  if (existsSync(file) && readFileSync(file, 'utf8') === pem) return
  writeFileAtomic(file, pem)
}
