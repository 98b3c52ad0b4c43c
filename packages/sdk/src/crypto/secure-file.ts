import { closeSync, fsync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import path from 'node:path'
import { PromptLedgerError } from '../errors.js'

/**
 * Replaces a file atomically: write a 0600 temp file, fsync it, rename over the target, fsync the
 * directory. The old bytes are never rewritten in place, and the rename drops the old inode, so a
 * destroyed key leaves no copy in the live file.
 */
export function writeFileAtomic(file: string, data: string | Buffer): void {
  startReplace(file, data).finishSync()
}

/**
 * A replacement whose new bytes are in a temp file (in the page cache, not yet durable) and not yet in
 * place. Either finish completes it: fsync of the temp file, rename over the target, fsync of the
 * directory. `finish` runs the fsyncs on the thread pool, so the event loop does not wait for the disk;
 * `finishSync` does all of it on this thread, and also completes a `finish` that is still running
 * (whatever that one had done is not done twice). Both resolve or throw once the file is durable in place.
 */
export interface PendingReplace {
  finish(): Promise<void>
  finishSync(): void
}

/** Writes the temp file of a replacement (see `PendingReplace`); throws `IO_ERROR`, leaving no temp file. */
export function startReplace(file: string, data: string | Buffer): PendingReplace {
  const dir = path.dirname(file)
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`
  let fd: number
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    fd = openSync(tmp, 'w', 0o600)
  } catch (cause) {
    throw new PromptLedgerError('IO_ERROR', `could not write ${file}`, { cause })
  }
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data)
  } catch (cause) {
    abandon(fd, tmp)
    throw new PromptLedgerError('IO_ERROR', `could not write ${file}`, { cause })
  }
  // Steps done so far: the temp file written, then fsynced, then renamed into place, then the folder fsynced.
  let state: 'written' | 'synced' | 'renamed' | 'done' | 'failed' = 'written'
  let failure: PromptLedgerError | null = null
  const fail = (cause: unknown): never => {
    if (state === 'written' || state === 'synced') abandon(fd, tmp)
    state = 'failed'
    failure = new PromptLedgerError('IO_ERROR', `could not write ${file}`, { cause })
    throw failure
  }
  const rename = (): void => {
    try {
      closeSync(fd)
      renameSync(tmp, file)
    } catch (cause) {
      fail(cause)
    }
    state = 'renamed'
  }
  /** Runs what is left on this thread (throws the failure of an earlier step). */
  const complete = (): void => {
    if (state === 'failed') throw failure
    if (state === 'written') {
      try {
        fsyncSync(fd)
      } catch (cause) {
        fail(cause)
      }
      state = 'synced'
    }
    if (state === 'synced') rename()
    if (state === 'renamed') {
      syncDir(dir)
      state = 'done'
    }
  }
  return {
    finishSync: complete,
    finish() {
      if (state !== 'written') {
        try {
          complete()
          return Promise.resolve()
        } catch (err) {
          return Promise.reject(err)
        }
      }
      return new Promise<void>((resolve, reject) => {
        fsync(fd, (err) => {
          // finishSync may have completed (or failed) the replacement meanwhile.
          if (state === 'failed') return reject(failure)
          if (state !== 'written') return resolve()
          try {
            if (err) fail(err)
            state = 'synced'
            rename()
          } catch (e) {
            return reject(e)
          }
          syncDirAsync(dir, () => {
            if (state === 'renamed') state = 'done'
            resolve()
          })
        })
      })
    },
  }
}

/** Closes and removes the temp file of a replacement that will not happen. */
function abandon(fd: number, tmp: string): void {
  try {
    closeSync(fd)
  } catch {
    // Already closed.
  }
  rmSync(tmp, { force: true })
}

/** `syncDir` with the fsync on the thread pool; calls `done` either way. */
export function syncDirAsync(dir: string, done: () => void): void {
  let fd: number
  try {
    fd = openSync(dir, 'r')
  } catch {
    done()
    return
  }
  fsync(fd, () => {
    try {
      closeSync(fd)
    } catch {
      // Closed already.
    }
    done()
  })
}

/** fsyncs a folder, so that a file created, renamed or removed in it stays so after a crash. */
export function syncDir(dir: string): void {
  // Directory fsync makes the rename durable; some platforms refuse it, and the rename is already done.
  let fd: number | undefined
  try {
    fd = openSync(dir, 'r')
    fsyncSync(fd)
  } catch {
    // Not supported here (e.g. Windows); the rename itself stands.
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
