import { closeSync, openSync, readFileSync, rmSync, statSync } from 'node:fs'
import { z } from 'zod'
import { PromptLedgerError } from '../errors.js'
import { type PendingReplace, startReplace } from './secure-file.js'

const entrySchema = z.object({ subject: z.string(), wrapped: z.string(), created: z.string() })

/** `data-keys.json`: wrapped data keys by key id (a subject may hold several after a concurrent create). */
export const keyFileSchema = z.object({
  v: z.literal(1),
  master_key_id: z.string(),
  keys: z.record(z.string(), entrySchema),
  /** Key ids destroyed by erasure, so their ciphertext reads as erased rather than as "key missing". */
  erased: z.array(z.string()),
})
export type KeyFile = z.infer<typeof keyFileSchema>
export type KeyEntry = z.infer<typeof entrySchema>

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

export function readKeyFile(file: string): KeyFile | null {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new PromptLedgerError('IO_ERROR', `could not read ${file}`, { cause: err })
  }
  try {
    return keyFileSchema.parse(JSON.parse(text))
  } catch (cause) {
    // Never quote the file: it holds wrapped keys.
    throw new PromptLedgerError('LEDGER_CORRUPT', `${file} is not a valid data key file`, { cause })
  }
}

const LOCK_STALE_MS = 30_000
const LOCK_TIMEOUT_MS = 10_000
const pause = new Int32Array(new SharedArrayBuffer(4))

/** A read-modify-write of the key file begun under its lock: the new file is written, not yet durable. */
export interface KeyFileUpdate {
  /** The file as written. */
  data: KeyFile
  /** The file was unchanged since the caller's `known` copy, so `update` was given `known.data`. */
  reused: boolean
  /** Makes the new file durable and in place off the event loop (see `PendingReplace`); resolves with its stamp. */
  finish(): Promise<string>
  /** The same on this thread; also completes a `finish()` still running. Returns the stamp. */
  finishSync(): string
}

/**
 * Read-modify-write of the key file under `<file>.lock` (O_EXCL), so processes sharing a data dir
 * (an app's ledger, the server, the CLI) never lose each other's keys. Writes are rare (a new user,
 * an erasure, a rotation), so a short synchronous wait for the lock is acceptable.
 */
export function updateKeyFile(
  file: string,
  update: (current: KeyFile | null) => KeyFile,
  /** What the caller last read or wrote, and its stamp: reused when the file is unchanged under the lock. */
  known?: { stamp: string; data: KeyFile },
): { data: KeyFile; stamp: string; reused: boolean } {
  const begun = beginKeyFileUpdate(file, update, known)
  return { data: begun.data, stamp: begun.finishSync(), reused: begun.reused }
}

/**
 * `updateKeyFile` in two steps: this takes the lock and writes the new file's bytes; the returned
 * update makes them durable and releases the lock. The lock is held until then, so another writer never
 * reads the file between this read and that rename. A process that must write the file again while its
 * own update is unfinished completes it first with `finishSync` (the lock is its own, and waiting for it
 * would never end).
 */
export function beginKeyFileUpdate(
  file: string,
  update: (current: KeyFile | null) => KeyFile,
  known?: { stamp: string; data: KeyFile },
): KeyFileUpdate {
  const lock = `${file}.lock`
  const deadline = Date.now() + LOCK_TIMEOUT_MS
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx', 0o600))
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new PromptLedgerError('IO_ERROR', `could not lock ${file}`, { cause: err })
      }
      // A lock left by a crashed process is taken over once it is clearly stale.
      if (Date.now() - lockAge(lock) > LOCK_STALE_MS) rmSync(lock, { force: true })
      else if (Date.now() > deadline) throw new PromptLedgerError('IO_ERROR', `timed out waiting for ${lock}`)
      else Atomics.wait(pause, 0, 0, 5)
    }
  }
  let data: KeyFile
  let reused: boolean
  let replace: PendingReplace
  try {
    // Re-reading (and validating) the whole file on every commit cost O(keys) per batch; unchanged since the
    // caller's last read or write (same inode, size, mtime), the caller's copy is the file.
    reused = known !== undefined && known.stamp !== '' && fileStamp(file) === known.stamp
    data = update(reused ? known!.data : readKeyFile(file))
    replace = startReplace(file, JSON.stringify(data))
  } catch (err) {
    rmSync(lock, { force: true })
    throw err
  }
  let locked = true
  /** Releases the lock once: a second removal could take away another process's lock. */
  const unlock = (): void => {
    if (!locked) return
    locked = false
    rmSync(lock, { force: true })
  }
  let stamp: string | null = null
  /** Stamps the file and releases the lock, once (whichever finish gets there first). */
  const release = (): string => {
    if (stamp === null) {
      try {
        // Stamped under the lock: a write by another process right after ours must not pass for ours.
        stamp = fileStamp(file)
      } finally {
        unlock()
      }
    }
    return stamp
  }
  const unlockAndThrow = (err: unknown): never => {
    unlock()
    throw err
  }
  return {
    data,
    reused,
    finish: () => replace.finish().then(release, unlockAndThrow),
    finishSync() {
      try {
        replace.finishSync()
      } catch (err) {
        unlockAndThrow(err)
      }
      return release()
    },
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
