import {
  closeSync,
  existsSync,
  fstatSync,
  fsync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { PromptLedgerError } from '../errors.js'
import { type PendingReplace, startReplace, syncDir, syncDirAsync } from './secure-file.js'

const entrySchema = z.object({ subject: z.string(), wrapped: z.string(), created: z.string() })

/**
 * `data-keys.json`: wrapped data keys by key id (a subject may hold several after a concurrent create). Version 2
 * says the file may be continued by `data-keys.log` (see `KeyFilesState`); every write makes it 2, so that a
 * program that knows only version 1 (and would not read the log, nor remove it on erasure) refuses the data dir
 * rather than miss keys. Version 1 files, which have no log, read as they are.
 */
export const keyFileSchema = z.object({
  v: z.union([z.literal(1), z.literal(2)]),
  master_key_id: z.string(),
  keys: z.record(z.string(), entrySchema),
  /** Key ids destroyed by erasure, so their ciphertext reads as erased rather than as "key missing". */
  erased: z.array(z.string()),
  /**
   * One entry per erasure: when it happened and the key id it destroyed (minted when the subject had no key yet),
   * with the subject as a SHA-256 (hex) rather than in clear. A record captured at or before `at` that is
   * encrypted afterwards (it was still in flight, or an SDK delivered it late) is sealed under a throwaway key and
   * labelled with `key_id`, so it reads as erased. Absent from files written before erasures were kept.
   */
  erasures: z.array(z.object({ subject_sha256: z.string(), at: z.number(), key_id: z.string() })).default([]),
})
export type KeyFile = z.infer<typeof keyFileSchema>
export type KeyEntry = z.infer<typeof entrySchema>

/** A line of `data-keys.log`: a key added after the snapshot was written. */
const logLineSchema = entrySchema.extend({ id: z.string() })

/** The log of keys added since `file` (the snapshot) was last written whole. */
export function keyLogFile(file: string): string {
  return file.replace(/\.json$/, '') + '.log'
}

/**
 * What a process last read or wrote of the key files: the snapshot (`data-keys.json`) with the log's keys
 * (`data-keys.log`) merged into `data.keys`, and both files' identities, so that a later look reads only
 * what changed: nothing, the log's new lines, or everything once the snapshot was replaced.
 *
 * Why a log: each batch that brings new users used to rewrite the whole file (temp file, fsync, rename), a
 * write that grows with the number of keys (62–107 ms at 50,000 keys on the ledger's thread). New keys are
 * now appended to the log; the snapshot is rewritten only by erasure and master-key rotation (which must
 * rewrite it: no copy of an erased key may stay), and these fold the log into it and remove the log.
 */
export interface KeyFilesState {
  data: KeyFile
  /** The snapshot's identity (see `fileStamp`); `''` when there is none. */
  snapshotStamp: string
  /** The log's identity; `''` when there is none. */
  logStamp: string
  /** Bytes of the log read: its complete lines. */
  logEnd: number
  /**
   * The log holds keys that the snapshot has too, or erased: a fold into the snapshot stopped before the log
   * was removed. Readers skip those lines; the next write under the lock folds again and removes the log.
   */
  stale: boolean
}

/** The file's identity; a change means another process wrote it. */
export function fileStamp(file: string): string {
  try {
    // No exception for a missing file (the first batch of a new data dir): throwing one cost 4× the stat.
    const st = statSync(file, { bigint: true, throwIfNoEntry: false })
    return st ? `${st.ino}:${st.size}:${st.mtimeNs}` : ''
  } catch (err) {
    throw new PromptLedgerError('IO_ERROR', `could not stat ${file}`, { cause: err })
  }
}

function fdStamp(fd: number): string {
  const st = fstatSync(fd, { bigint: true })
  return `${st.ino}:${st.size}:${st.mtimeNs}`
}

function parseKeyFile(file: string, text: string): KeyFile {
  try {
    return keyFileSchema.parse(JSON.parse(text))
  } catch (cause) {
    // Never quote the file: it holds wrapped keys.
    throw new PromptLedgerError('LEDGER_CORRUPT', `${file} is not a valid data key file`, { cause })
  }
}

/**
 * The key files as they are now, reading only what changed since `known`: nothing when neither file
 * did, the log's new lines when only the log grew, both files otherwise. `empty` makes the snapshot
 * of a data dir that has none. A last line without its newline (an append under way in another
 * process, or cut short by a crash) is not read; `logEnd` stops before it.
 */
export function loadKeyFiles(
  file: string,
  empty: () => KeyFile,
  known?: KeyFilesState,
  onKey?: OnLogKey,
): KeyFilesState {
  // Without the lock (readers), a fold in another process may replace both files between a stat and a read:
  // what is read is checked to be the file that was stat'ed, and the look starts over when it is not.
  for (let attempt = 0; ; attempt++) {
    const state = loadOnce(file, empty, known, onKey)
    if (state !== null) return state
    if (attempt === 8) throw new PromptLedgerError('IO_ERROR', `${file} kept changing while it was read`)
  }
}

/** One look at the files (see `loadKeyFiles`); null when one was replaced between its stat and its read. */
function loadOnce(file: string, empty: () => KeyFile, known?: KeyFilesState, onKey?: OnLogKey): KeyFilesState | null {
  const snapshotStamp = fileStamp(file)
  const log = keyLogFile(file)
  const logStamp = fileStamp(log)
  if (known && snapshotStamp === known.snapshotStamp && logStamp === known.logStamp) return known
  const sameSnapshot = known !== undefined && snapshotStamp === known.snapshotStamp
  if (logStamp !== '' && snapshotStamp === '') {
    // A fold removes the log after its new snapshot is in place, so this is no race: the snapshot was removed.
    if (fileStamp(file) === '') throw new PromptLedgerError('LEDGER_CORRUPT', `${log} is there without ${file}`)
    return null
  }
  let data: KeyFile
  if (sameSnapshot) data = known.data
  else if (snapshotStamp === '') data = empty()
  else {
    const read = readKeyFileAt(file, snapshotStamp)
    if (read === null) return null
    data = read
  }
  // Only the log grew (same file, longer): its new lines are read; else the whole log.
  const from = sameSnapshot && sameInodeLonger(known.logStamp, logStamp, known.logEnd) ? known.logEnd : 0
  const read = logStamp === '' ? { end: 0, stale: false } : readLog(log, logStamp, from, data, onKey)
  if (read === null) return null
  return {
    data,
    snapshotStamp,
    logStamp,
    logEnd: read.end,
    stale: (sameSnapshot && from > 0 && known.stale) || read.stale,
  }
}

/** The inode of an identity (`ino:size:mtime`). */
const inodeOf = (stamp: string): string => stamp.slice(0, stamp.indexOf(':'))

/** The snapshot file that `stamp` names, parsed; null when the file at that path is another one by now. */
function readKeyFileAt(file: string, stamp: string): KeyFile | null {
  let text: string
  try {
    const fd = openSync(file, 'r')
    try {
      if (String(fstatSync(fd, { bigint: true }).ino) !== inodeOf(stamp)) return null
      text = readFileSync(fd, 'utf8')
    } finally {
      closeSync(fd)
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new PromptLedgerError('IO_ERROR', `could not read ${file}`, { cause: err })
  }
  return parseKeyFile(file, text)
}

/**
 * fsyncs the log. Lines read without the lock may belong to an append whose fsync has not come back yet: a key
 * taken from them to encrypt new records is made durable first (its writer released the lock only after its
 * fsync, so lines read under the lock need none).
 */
export function syncKeyLog(file: string): void {
  const log = keyLogFile(file)
  let fd: number
  try {
    fd = openSync(log, 'r')
  } catch (err) {
    // Folded into the snapshot by another process meanwhile: its keys are durable there.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw new PromptLedgerError('IO_ERROR', `could not open ${log}`, { cause: err })
  }
  try {
    fsyncSync(fd)
  } catch (cause) {
    throw new PromptLedgerError('IO_ERROR', `could not sync ${log}`, { cause })
  } finally {
    closeSync(fd)
  }
}

/** Told of each key merged in from the log. */
export type OnLogKey = (keyId: string, entry: KeyEntry) => void

/** `after` is `before`'s file grown past `end` bytes (identities are `ino:size:mtime`). */
function sameInodeLonger(before: string, after: string, end: number): boolean {
  if (before === '' || after === '') return false
  return inodeOf(before) === inodeOf(after) && Number(after.split(':')[1]) >= end
}

/**
 * Merges the log's complete lines from byte `from` into `data.keys`; returns where they end, or null when the log at
 * that path is no longer the file `stamp` names (nothing is merged then).
 */
function readLog(
  log: string,
  stamp: string,
  from: number,
  data: KeyFile,
  onKey?: OnLogKey,
): { end: number; stale: boolean } | null {
  let bytes: Buffer
  try {
    const fd = openSync(log, 'r')
    try {
      const st = fstatSync(fd, { bigint: true })
      if (String(st.ino) !== inodeOf(stamp)) return null
      const size = Number(st.size)
      bytes = Buffer.alloc(Math.max(0, size - from))
      let got = 0
      while (got < bytes.length) {
        const n = readSync(fd, bytes, got, bytes.length - got, from + got)
        if (n === 0) break
        got += n
      }
      bytes = bytes.subarray(0, got)
    } finally {
      closeSync(fd)
    }
  } catch (err) {
    // Removed by a fold in another process between the stat and the open: look again.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new PromptLedgerError('IO_ERROR', `could not read ${log}`, { cause: err })
  }
  const complete = bytes.lastIndexOf(0x0a) + 1
  const erased = data.erased.length > 0 ? new Set(data.erased) : null
  let stale = false
  let at = 0
  while (at < complete) {
    const nl = bytes.indexOf(0x0a, at)
    let line: z.infer<typeof logLineSchema>
    try {
      line = logLineSchema.parse(JSON.parse(bytes.toString('utf8', at, nl)))
    } catch (cause) {
      // Never quote the line: it holds a wrapped key.
      throw new PromptLedgerError('LEDGER_CORRUPT', `${log} is not a valid data key log (byte ${from + at})`, {
        cause,
      })
    }
    at = nl + 1
    if (Object.hasOwn(data.keys, line.id) || erased?.has(line.id)) {
      stale = true
      continue
    }
    const entry = { subject: line.subject, wrapped: line.wrapped, created: line.created }
    data.keys[line.id] = entry
    onKey?.(line.id, entry)
  }
  return { end: from + complete, stale }
}

const LOCK_STALE_MS = 30_000
const LOCK_TIMEOUT_MS = 10_000
const pause = new Int32Array(new SharedArrayBuffer(4))

/**
 * A write of the key files begun under their lock: the bytes are written, not yet durable. The lock is
 * held until it finishes, so another writer never reads the files between this read and the write.
 */
export interface KeyFilesWrite {
  /** Another process had replaced the snapshot since the caller's `known` state (its cached keys may be erased). */
  replacedUnderUs: boolean
  /** Makes the write durable off the event loop; resolves with the files' new state. */
  finish(): Promise<KeyFilesState>
  /** The same on this thread; also completes a `finish()` still running. */
  finishSync(): KeyFilesState
}

/**
 * Adds keys under `<file>.lock` (O_EXCL), so that processes sharing a data dir (an app's ledger, the server,
 * the CLI) never lose each other's keys: appended to the log (O(new keys)), or written with everything
 * into a new snapshot when there is none yet or the log is stale (see `KeyFilesState.stale`). `check`
 * sees the files as read under the lock (the caller's master key must be theirs) and throws to refuse.
 * Writes are rare (a batch with a new user), so a short synchronous wait for the lock is acceptable.
 * `known.data` is the object the new state's `data` is: keys read from the files are merged into it.
 */
export function beginAddKeys(
  file: string,
  empty: () => KeyFile,
  known: KeyFilesState | undefined,
  entries: ReadonlyArray<readonly [string, KeyEntry]>,
  check: (data: KeyFile) => void,
  onKey?: OnLogKey,
): KeyFilesWrite {
  const unlock = lock(file)
  try {
    const current = loadKeyFiles(file, empty, known, onKey)
    check(current.data)
    const replaced = known !== undefined && current.snapshotStamp !== known.snapshotStamp
    // A version 1 snapshot is rewritten as version 2 before a log may continue it (see `keyFileSchema`).
    if (current.snapshotStamp === '' || current.stale || current.data.v !== 2) {
      for (const [keyId, entry] of entries) current.data.keys[keyId] = entry
      return once(file, replaced, unlock, rewriting(file, current.data))
    }
    return once(file, replaced, unlock, appending(file, current, entries))
  } catch (err) {
    unlock()
    throw err
  }
}

/**
 * Rewrites the snapshot under the lock with `change` applied to the files as read there (the log folded
 * in), then removes the log: what erasure and rotation do, so that no copy of a destroyed or re-wrapped
 * key stays in either file.
 */
export function beginRewrite(
  file: string,
  empty: () => KeyFile,
  known: KeyFilesState | undefined,
  change: (data: KeyFile) => KeyFile,
): KeyFilesWrite {
  const unlock = lock(file)
  try {
    const current = loadKeyFiles(file, empty, known)
    const replaced = known !== undefined && current.snapshotStamp !== known.snapshotStamp
    return once(file, replaced, unlock, rewriting(file, change(current.data)))
  } catch (err) {
    unlock()
    throw err
  }
}

/** The two ways to complete a begun write; `once` makes sure only the first to get there does the work. */
interface Completion {
  /** Waits for the disk off the event loop, then `after` on this thread (skipped when `finishSync` came first). */
  durable(): Promise<void>
  /** Waits for the disk on this thread. */
  durableSync(): void
  /** What follows durability (under the lock, on this thread); returns the files' state. */
  after(): KeyFilesState
  /** The write failed: undo what would otherwise linger (an open descriptor). */
  abandon(): void
}

function rewriting(file: string, data: KeyFile): Completion {
  const log = keyLogFile(file)
  data.v = 2
  const replace: PendingReplace = startReplace(file, JSON.stringify(data))
  return {
    durable: () => replace.finish(),
    durableSync: () => replace.finishSync(),
    after() {
      // The snapshot is durable with every key of the log in it: the log goes. Its removal is made durable
      // before the lock is released (an erased key's line must not come back after a crash); with no log (a first
      // commit), nothing waits for the disk here.
      if (existsSync(log)) {
        rmSync(log, { force: true })
        syncDir(path.dirname(file))
      }
      return { data, snapshotStamp: fileStamp(file), logStamp: '', logEnd: 0, stale: false }
    },
    abandon() {},
  }
}

function appending(
  file: string,
  current: KeyFilesState,
  entries: ReadonlyArray<readonly [string, KeyEntry]>,
): Completion {
  const log = keyLogFile(file)
  let text = ''
  for (const [id, entry] of entries) {
    text += `${JSON.stringify({ id, subject: entry.subject, wrapped: entry.wrapped, created: entry.created })}\n`
  }
  // The log's first complete lines: its folder entry may not be durable yet (a new file, or one whose first append a
  // crash cut short), so the folder is fsynced too.
  const created = current.logEnd === 0
  let fd: number
  try {
    fd = openSync(log, 'a', 0o600)
  } catch (cause) {
    throw new PromptLedgerError('IO_ERROR', `could not write ${log}`, { cause })
  }
  let end: number
  try {
    // A line cut short by a crash would glue itself to ours: the lock is ours, so it is cut off first.
    if (fstatSync(fd).size > current.logEnd) ftruncateSync(fd, current.logEnd)
    const bytes = Buffer.from(text)
    writeSync(fd, bytes, 0, bytes.length, current.logEnd)
    end = current.logEnd + bytes.length
  } catch (cause) {
    closeSync(fd)
    throw new PromptLedgerError('IO_ERROR', `could not write ${log}`, { cause })
  }
  const closeFd = (): void => {
    try {
      closeSync(fd)
    } catch {
      // Closed already.
    }
  }
  return {
    durable: () =>
      new Promise<void>((resolve, reject) => {
        fsync(fd, (err) => {
          if (err) return reject(err)
          // A new log's folder entry must be durable too, or a crash could lose the file with its keys.
          if (created) syncDirAsync(path.dirname(log), resolve)
          else resolve()
        })
      }),
    durableSync() {
      fsyncSync(fd)
      if (created) syncDir(path.dirname(log))
    },
    after() {
      for (const [id, entry] of entries) current.data.keys[id] = entry
      const state = { ...current, logStamp: fdStamp(fd), logEnd: end }
      closeFd()
      return state
    },
    abandon: closeFd,
  }
}

/**
 * The write's finish: whichever of `finish` and `finishSync` is called first completes it, and the lock is
 * released once. `finishSync` called while `finish` waits for the disk completes on this thread; the running
 * `finish` then settles with the same result and does nothing more (the lock is no longer ours by then).
 */
function once(file: string, replacedUnderUs: boolean, unlock: () => void, c: Completion): KeyFilesWrite {
  let result: { state: KeyFilesState } | { error: unknown } | null = null
  const settle = (complete: () => KeyFilesState): KeyFilesState => {
    if (result === null) {
      try {
        result = { state: complete() }
      } catch (cause) {
        c.abandon()
        const error =
          cause instanceof PromptLedgerError
            ? cause
            : new PromptLedgerError('IO_ERROR', `could not write ${file}`, { cause })
        result = { error }
      }
      unlock()
    }
    if ('error' in result) throw result.error
    return result.state
  }
  let running: Promise<KeyFilesState> | null = null
  return {
    replacedUnderUs,
    finish() {
      running ??= c.durable().then(
        () => settle(() => c.after()),
        (error: unknown) =>
          settle(() => {
            throw error
          }),
      )
      return running
    },
    finishSync() {
      return settle(() => {
        c.durableSync()
        return c.after()
      })
    },
  }
}

/** Takes `<file>.lock` (waiting up to 10 s; a lock older than 30 s is a crashed process's) and returns its release. */
function lock(file: string): () => void {
  const name = `${file}.lock`
  const deadline = Date.now() + LOCK_TIMEOUT_MS
  for (;;) {
    try {
      closeSync(openSync(name, 'wx', 0o600))
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new PromptLedgerError('IO_ERROR', `could not lock ${file}`, { cause: err })
      }
      // A lock left by a crashed process is taken over once it is clearly stale.
      if (Date.now() - lockAge(name) > LOCK_STALE_MS) rmSync(name, { force: true })
      else if (Date.now() > deadline) throw new PromptLedgerError('IO_ERROR', `timed out waiting for ${name}`)
      else Atomics.wait(pause, 0, 0, 5)
    }
  }
  let held = true
  /** Releases the lock once: a second removal could take away another process's lock. */
  return () => {
    if (!held) return
    held = false
    rmSync(name, { force: true })
  }
}

function lockAge(lock: string): number {
  try {
    return statSync(lock).mtimeMs
  } catch {
    // Gone between the failed open and this stat: the next attempt will take it.
    return Date.now()
  }
}
