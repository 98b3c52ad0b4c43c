import { closeSync, openSync, readSync, renameSync, statSync, writeSync } from 'node:fs'
import { open, readFile, unlink } from 'node:fs/promises'
import path from 'node:path'
import { readManifestAsync, type SegmentManifest, syncDirAsync, writeFileAtomicAsync } from './manifest.js'
import { ANCHOR_FILE, archiveFile, CHECKPOINTS_FILE, listSegments, MANIFEST_EXT } from './segment-files.js'

export interface RetentionPolicy {
  /** Sealed segments whose last record is older than this are removed. */
  maxAgeDays: number
  /** Oldest sealed segments are removed while the stream folder is larger than this. */
  maxTotalBytes?: number | undefined
}

/** Manifests read at once when the sealed segments are loaded. */
const LOAD_AT_ONCE = 32

/** A sealed segment as retention sees it. */
export interface SealedSegment {
  base: string
  /** The archive's file name. */
  file: string
  manifest: SegmentManifest
}

/**
 * A stream's sealed segments, oldest first, and their archives' total size: what retention removes from. Read from
 * the folder once; the writer adds each segment it seals. Retention used to list the folder and look up every
 * manifest after every seal: 85 ms of the ledger's thread per seal at 10,000 sealed segments (a month of 1 MiB
 * segments at a few records a second), where this costs nothing per seal.
 */
export class SealedSegments {
  #list: SealedSegment[] = []
  /** Index of the oldest kept entry: removal from the front moves it instead of shifting the array. */
  #head = 0
  #bytes = 0

  /**
   * The folder's sealed segments (archive and manifest, source gone), each manifest read once, on the thread
   * pool and a few dozen at a time: a month of segments is thousands of manifests, read when a ledger opens.
   */
  static async load(streamDir: string): Promise<SealedSegments> {
    const segments = listSegments(streamDir).filter((s) => s.archive && s.manifest && !s.active)
    const sealed = new SealedSegments()
    for (let i = 0; i < segments.length; i += LOAD_AT_ONCE) {
      const group = segments.slice(i, i + LOAD_AT_ONCE)
      const manifests = await Promise.all(
        group.map((s) => readManifestAsync(path.join(streamDir, s.base + MANIFEST_EXT))),
      )
      for (let k = 0; k < group.length; k++) {
        const s = group[k]!
        sealed.add({ base: s.base, file: archiveFile(s), manifest: manifests[k]! })
      }
    }
    return sealed
  }

  /** A newly sealed segment, newer than every segment held. */
  add(segment: SealedSegment): void {
    this.#list.push(segment)
    this.#bytes += segment.manifest.bytes
  }

  get oldest(): SealedSegment | undefined {
    return this.#list[this.#head]
  }

  get count(): number {
    return this.#list.length - this.#head
  }

  /** Total size of the archives held. */
  get bytes(): number {
    return this.#bytes
  }

  dropOldest(): void {
    const s = this.#list[this.#head]
    if (!s) return
    this.#bytes -= s.manifest.bytes
    this.#list[this.#head++] = undefined as unknown as SealedSegment
    if (this.#head > 1024 && this.#head * 2 > this.#list.length) {
      this.#list = this.#list.slice(this.#head)
      this.#head = 0
    }
  }
}

/**
 * Removes whole sealed segments from the oldest end. Before a segment goes, its signed checkpoint
 * (last seq and head hash) becomes the stream's `anchor.json` (written and fsynced first), so the ledger stays
 * verifiable from the oldest kept record: its `prev_hash` must equal the anchor's hash. The active segment is
 * never removed. Returns the removed archive names. Off the event loop: file operations on the thread pool.
 */
export async function applyRetention(
  streamDir: string,
  sealed: SealedSegments,
  policy: RetentionPolicy,
  activeBytes: number,
  now = Date.now(),
): Promise<string[]> {
  const cutoff = now - policy.maxAgeDays * 86_400_000
  const removed: string[] = []
  for (let s = sealed.oldest; s !== undefined; s = sealed.oldest) {
    const tooOld = Date.parse(s.manifest.last_ts) < cutoff
    const tooBig = policy.maxTotalBytes !== undefined && activeBytes + sealed.bytes > policy.maxTotalBytes
    if (!tooOld && !tooBig) break
    // Anchor first: a crash between the two steps leaves an anchor that verify and the next open accept.
    await writeFileAtomicAsync(path.join(streamDir, ANCHOR_FILE), `${JSON.stringify(s.manifest.checkpoint)}\n`)
    await unlinkIfThere(path.join(streamDir, s.file))
    await unlinkIfThere(path.join(streamDir, s.base + MANIFEST_EXT))
    sealed.dropOldest()
    removed.push(s.file)
  }
  return removed
}

/** Removes a file; one already gone (removed by hand) is not an error. */
async function unlinkIfThere(file: string): Promise<void> {
  try {
    await unlink(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
}

/**
 * Drops from the checkpoint log the checkpoints of records retention removed (seq below the anchor's),
 * so the log stays as bounded as the segments. The anchor's own checkpoint and everything from the first line
 * that is not JSON (verify reports it) are kept. Rewrites the log atomically; returns whether it changed.
 *
 * The log is read, and its new form written and fsynced, off the event loop: done synchronously, a month of
 * checkpoints (megabytes) held the ledger's thread 26–28 ms per compaction. Lines the writer appends meanwhile
 * (synchronously, on this thread) are copied over, and the new log renamed into place, in one synchronous step,
 * which also hands `swap` the new log's descriptor (open for appends): no append can fall between the two. The
 * copied lines are as durable as they were (the writer's next fsync of its descriptor covers them).
 */
export async function compactCheckpointLog(streamDir: string, swap?: (fd: number) => void): Promise<boolean> {
  const anchorFile = path.join(streamDir, ANCHOR_FILE)
  const logFile = path.join(streamDir, CHECKPOINTS_FILE)
  let anchorSeq: number
  let bytes: Buffer
  try {
    anchorSeq = (JSON.parse(await readFile(anchorFile, 'utf8')) as { seq: number }).seq
    bytes = await readFile(logFile)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
  const cut = prefixBelow(bytes, anchorSeq)
  if (cut === 0) return false
  const tmp = `${logFile}.tmp`
  const fh = await open(tmp, 'w', 0o600)
  try {
    await fh.writeFile(bytes.subarray(cut))
    await fh.sync()
    // One synchronous step from here to the swap (see above).
    const size = statSync(logFile).size
    if (size > bytes.length) {
      const tail = Buffer.alloc(size - bytes.length)
      const fd = openSync(logFile, 'r')
      try {
        readSync(fd, tail, 0, tail.length, bytes.length)
      } finally {
        closeSync(fd)
      }
      writeSync(fh.fd, tail)
    }
    renameSync(tmp, logFile)
    swap?.(openSync(logFile, 'a', 0o600))
  } catch (err) {
    await unlink(tmp).catch(() => undefined)
    throw err
  } finally {
    await fh.close()
  }
  await syncDirAsync(streamDir)
  return true
}

/**
 * Bytes of the log's prefix of checkpoints below `anchorSeq`. Checkpoints are appended in increasing seq, so those
 * below the anchor are a prefix: only that prefix is parsed, the rest is kept as it is, a torn last line too. A line
 * that does not parse ends the prefix: whatever follows it stays.
 */
function prefixBelow(bytes: Buffer, anchorSeq: number): number {
  let cut = 0
  for (let end = bytes.indexOf(0x0a); end !== -1; end = bytes.indexOf(0x0a, cut)) {
    let seq: unknown
    try {
      seq = (JSON.parse(bytes.toString('utf8', cut, end)) as { seq?: unknown }).seq
    } catch {
      break
    }
    if (!(typeof seq === 'number' && seq < anchorSeq)) break
    cut = end + 1
  }
  return cut
}
