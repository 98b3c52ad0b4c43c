import { closeSync, existsSync, fsync, open, openSync, readFileSync, write, writeSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { writeFileAtomic } from '../../crypto/secure-file.js'
import { PromptLedgerError } from '../../errors.js'
import type { LedgerRecord } from '../../record/schema.js'
import type { ChainHead } from '../../seal/chain.js'
import { type Checkpoint, type CheckpointSigner, PUBLIC_KEY_FILE } from '../../seal/checkpoint.js'
import { encodeRecordParts, partsLine } from '../../seal/encode-record.js'
import { LineBuffer } from '../../seal/line-buffer.js'
import type { Exporter, ExportResult } from '../exporter.js'
import type { ArchiveChoice } from './archive-codec.js'
import { type RecoveryNote, recoverStream } from './recover.js'
import { applyRetention, compactCheckpointLog, type RetentionPolicy, SealedSegments } from './retention.js'
import { archiveSegment, finishSeal, type SegmentArchive } from './seal-segment.js'
import { ACTIVE_EXT, CHECKPOINTS_FILE, segmentBase } from './segment-files.js'
import { Slots } from './slots.js'
import { lockStream } from './writer-lock.js'

const fsyncAsync = promisify(fsync)
const openAsync = promisify(open)
const writeAsync = (fd: number, buf: Buffer, offset: number, length: number, position: null) =>
  new Promise<number>((resolve, reject) =>
    write(fd, buf, offset, length, position, (err, n) => (err ? reject(err) : resolve(n))),
  )
/** Segments up to this size are kept in memory while active, for the seal (see `#written`). */
const MAX_KEPT_SEGMENT_BYTES = 16 * 1024 * 1024
/**
 * Closed segments whose archives (compression, write, fsync) are made at once, ahead of their turn to be finished.
 * While records are being written, one: archives made beside a burst take cores from the write path and delay its
 * `flush()`. Once the ledger closes, two: one at a time, the backlog of a burst left one core idle while `close()`
 * waited for it segment after segment (36 segments of encrypted records after 20,000 calls: 250 ms). Two keep two
 * of the thread pool's four threads free for the last writes and fsyncs.
 */
const ARCHIVES_AT_ONCE = 1
const ARCHIVES_AT_CLOSE = 2
/** Segments removed by retention before the checkpoint log is compacted (and at close). */
const COMPACT_AFTER = 32

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
  /** How sealed segments are compressed; default `auto` (see `ArchiveChoice`). */
  archive?: ArchiveChoice
  /** Repairs made on open, sealed segments, removed archives: reported, never silent. */
  onNote?: (note: RecoveryNote | { kind: 'sealed' | 'retention-removed'; file: string }) => void
  /** A background seal or retention pass failed; the segment stays as `.ndjson` and is sealed on next open. */
  onError?: (err: Error) => void
}

/**
 * The embedded ledger: append-only NDJSON segments, sealed on rotation to an archive (`.ndjson.gz`, or
 * `.ndjson.br` for encrypted records or when asked) + manifest, signed checkpoints, retention from the oldest end. Opening recovers from a crash synchronously.
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
  /** Releases the stream folder's writer lock (see writer-lock.ts). */
  readonly #unlock: () => void
  /**
   * The active segment's bytes as appended by this process (null when it was continued after a restart,
   * or outgrew the buffer): the seal compresses these, not the file, and signs the archive's digest.
   */
  #written: Buffer | null = null
  #writtenLength = 0
  /** The sealed segments, oldest first: read from the folder by the first retention pass, then kept here. */
  #sealed: SealedSegments | null = null
  /** Segments retention removed since the checkpoint log was last compacted (see #retention). */
  #removedSinceCompaction = 0
  /** Segment buffers whose seal finished, reused for the next segments (no 1 MiB allocation per segment). */
  #spare: Buffer[] = []
  readonly #archiving = new Slots(ARCHIVES_AT_ONCE)

  constructor(options: FileLedgerOptions) {
    this.#o = options
    this.streamDir = path.join(options.dir, options.stream)
    // Before recovery, which rewrites the folder's tail: only a folder nobody writes may be recovered.
    this.#unlock = lockStream(this.streamDir, options.stream)
    let r: ReturnType<typeof recoverStream>
    try {
      r = recoverStream(this.streamDir, options.stream)
    } catch (err) {
      this.#unlock()
      throw err
    }
    this.recovered = r.notes
    for (const note of r.notes) options.onNote?.(note)
    this.#head = r.head
    this.#lastCheckpoint = r.lastCheckpointSeq
    this.#cpFd = openSync(path.join(this.streamDir, CHECKPOINTS_FILE), 'a', 0o600)
    writePublicKey(options.dir, options.signer.publicKeyPem)
    for (const base of r.pendingSeal)
      this.#inBackground(async () =>
        this.#finish(await archiveSegment(this.streamDir, base, undefined, this.#o.archive)),
      )
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
    // The first record is checked against the head when the write runs, the others against their
    // predecessor here: the lines before a break in the chain are written, then the export fails.
    const buffer = new LineBuffer()
    let broken: LedgerRecord | undefined
    for (let i = 0; i < batch.length; i++) {
      const record = batch[i]!
      const prev = batch[i - 1]
      if (prev && (record.seq !== prev.seq + 1 || record.prev_hash !== prev.hash)) {
        broken = record
        break
      }
      buffer.appendLine(partsLine(encodeRecordParts(record)), record.seq, record.prev_hash, record.hash)
    }
    return this.#exportBuffer(buffer, broken)
  }

  /**
   * Writes the lines sealed into `lines` (`Chain.sealInto`): the ledger's write path. The buffer must not
   * change until the returned promise resolves.
   */
  exportBuffer(lines: LineBuffer): Promise<ExportResult> {
    return this.#exportBuffer(lines)
  }

  #exportBuffer(lines: LineBuffer, broken?: LedgerRecord): Promise<ExportResult> {
    if (this.#closed)
      return Promise.resolve({
        ok: false,
        error: new PromptLedgerError('CLOSED', 'file ledger is closed'),
        retryable: false,
      })
    return this.#enqueue(() => this.#write(lines, broken)).then(
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
    // Nothing more will be written: the archives still to make may take both cores.
    this.#archiving.raise(ARCHIVES_AT_CLOSE)
    return this.#enqueue(async () => {
      await this.#sync()
      await this.#background
      await this.#compactCheckpoints()
      if (this.#head.seq > this.#lastCheckpoint) await this.#checkpoint()
      await fsyncAsync(this.#cpFd)
      if (this.#fd !== null) closeSync(this.#fd)
      closeSync(this.#cpFd)
      for (const fd of this.#retiredCpFds.splice(0)) closeSync(fd)
      this.#fd = null
      this.#unlock()
    })
  }

  #enqueue<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#ops.then(op)
    this.#ops = run.catch(() => undefined)
    return run
  }

  async #write(lines: LineBuffer, broken?: LedgerRecord): Promise<void> {
    const now = Date.now()
    const count = lines.count
    if (count > 0 && (lines.firstSeq !== this.#head.seq + 1 || lines.prevHash !== this.#head.hash)) {
      throw chainBroken(lines.firstSeq, this.#head)
    }
    // The lines go out in chunks of whole lines, split where the segment rotates.
    let chunkStart = 0
    let end = 0
    for (let i = 0; i < count; i++) {
      const lineEnd = lines.ends[i]!
      const bytes = lineEnd - end
      if (this.#fd !== null && this.#size > 0) {
        if (this.#size + bytes > this.#o.maxFileBytes || now - this.#createdMs >= this.#o.maxSegmentAgeMs) {
          if (end > chunkStart) await this.#append(lines, chunkStart, end, i - 1)
          chunkStart = end
          await this.#rotate()
        }
      }
      if (this.#fd === null) await this.#open(lines.firstSeq + i, now)
      this.#size += bytes
      end = lineEnd
    }
    if (end > chunkStart) await this.#append(lines, chunkStart, end, count - 1)
    if (broken) throw chainBroken(broken.seq, this.#head)
    if (this.#head.seq - this.#lastCheckpoint >= this.#o.checkpointEvery) await this.#checkpoint()
  }

  /** Appends `lines.bytes[from, to)`, whose last line is line `last` of the batch, and moves the head there. */
  async #append(lines: LineBuffer, from: number, to: number, last: number): Promise<void> {
    // One write per chunk: a crash tears at most the chunk's last line, which opening cuts off.
    // Durability comes from the async fsync in flush(), which stays off this thread.
    // The write goes to the thread pool, so the caller builds and seals the next batch meanwhile
    // (ledger.ts); measured: a synchronous 1 MB write cost the building thread about as much as sealing
    // the batch. Both sources stay untouched until the write is done: the segment's buffer region is
    // past its length, and the batch's buffer is not reused before this export resolves.
    const bytes = to - from
    let buf = lines.bytes
    let start = from
    if (this.#written !== null && this.#writtenLength + bytes <= this.#written.length) {
      // Kept for the seal, which then compresses these bytes instead of reading the file back.
      lines.bytes.copy(this.#written, this.#writtenLength, from, to)
      buf = this.#written
      start = this.#writtenLength
    } else {
      this.#written = null // outgrown: this segment is sealed from the file, without an archive claim
    }
    try {
      for (let done = 0; done < bytes; ) done += await writeAsync(this.#fd!, buf, start + done, bytes - done, null)
    } catch (err) {
      this.#written = null // the file may now differ from the buffer: never sign the buffer for it
      throw err
    }
    if (buf === this.#written) this.#writtenLength = start + bytes
    this.#head = { stream: this.#head.stream, seq: lines.firstSeq + last, hash: lines.hashes[last]! }
  }

  async #open(firstSeq: number, now: number): Promise<void> {
    // On the thread pool: a new segment's open took about a millisecond of the write path per rotation.
    const base = segmentBase(firstSeq, now)
    const fd = await openAsync(path.join(this.streamDir, base + ACTIVE_EXT), 'a', 0o600)
    this.#base = base
    this.#createdMs = now
    this.#size = 0
    this.#fd = fd
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
    // The archive is made as soon as a slot is free; the manifest, checkpoint and retention follow in
    // segment order on the background chain.
    const archived = this.#archiving.run(async () => {
      await synced
      const a = await archiveSegment(this.streamDir, base, written, this.#o.archive)
      if (kept && this.#spare.length < 2) this.#spare.push(kept)
      return a
    })
    // Awaited below in its turn; a failure is reported there, not as an unhandled rejection meanwhile.
    archived.catch(() => undefined)
    this.#inBackground(async () => {
      await this.#finish(await archived)
      await this.#retention()
    })
  }

  #inBackground(op: () => Promise<void>): void {
    this.#background = this.#background.then(op).catch((err: Error) => this.#o.onError?.(err))
  }

  async #finish(sealed: SegmentArchive): Promise<void> {
    const manifest = await finishSeal(this.streamDir, sealed, (head) =>
      this.#o.signer.sign({ stream: this.#o.stream, ...head }),
    )
    this.#sealed?.add({ base: sealed.base, file: manifest.file, manifest })
    // The checkpoint log keeps its plain form (seq and head): the archive claim lives in the manifest.
    const { archive, ...plain } = manifest.checkpoint
    await this.#appendCheckpoint(archive ? this.#o.signer.sign(plain, plain.ts) : manifest.checkpoint)
    this.#o.onNote?.({ kind: 'sealed', file: manifest.file })
  }

  async #retention(): Promise<void> {
    this.#sealed ??= await SealedSegments.load(this.streamDir)
    const removed = await applyRetention(this.streamDir, this.#sealed, this.#o.retention, this.#size)
    for (const file of removed) this.#o.onNote?.({ kind: 'retention-removed', file })
    this.#removedSinceCompaction += removed.length
    // The log is rewritten whole, so not after every removal (a month of checkpoints is megabytes): after
    // COMPACT_AFTER removals, and at close. Checkpoints of removed records are never read meanwhile.
    if (this.#removedSinceCompaction >= COMPACT_AFTER) await this.#compactCheckpoints()
  }

  async #compactCheckpoints(): Promise<void> {
    if (this.#removedSinceCompaction === 0) return
    this.#removedSinceCompaction = 0
    await compactCheckpointLog(this.streamDir, (fd) => {
      // Appends go to the rewritten log from now on; the old descriptor may still be in an fsync of
      // #sync, so it is closed by the next #sync (or shutdown), never here.
      this.#retiredCpFds.push(this.#cpFd)
      this.#cpFd = fd
    })
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

function chainBroken(seq: number, head: ChainHead): PromptLedgerError {
  return new PromptLedgerError(
    'CHAIN_BROKEN',
    `record seq ${seq} does not continue stream ${head.stream} at seq ${head.seq}`,
  )
}

function writePublicKey(dir: string, pem: string): void {
  const file = path.join(dir, PUBLIC_KEY_FILE)
  if (existsSync(file) && readFileSync(file, 'utf8') === pem) return
  writeFileAtomic(file, pem)
}
