import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import path from 'node:path'
import { PromptLedgerError } from '../../errors.js'
import { processAlive } from './process-alive.js'

/** The file that names the process writing a stream folder. */
export const WRITER_LOCK = 'writer.lock'

interface LockOwner {
  pid: number
  host: string
  since: string
}

// Locks this process holds, by folder: a lock naming this pid that is not among them was left by an earlier process
// that had the same pid (a restarted container).
const held = new Set<string>()

/**
 * Takes the stream folder for this process, or throws `CONFIG_INVALID` naming the process that writes it. One chain
 * has one writer: two processes appending to one stream would interleave two chains under one name, and `verify` would
 * then report the records of one as altered. A lock left by a process that died (on this host) is taken over.
 * Returns what releases it.
 *
 * @example
 * const release = lockStream(streamDir, 'app') // … release() after the last write
 */
export function lockStream(streamDir: string, stream: string): () => void {
  mkdirSync(streamDir, { recursive: true, mode: 0o700 })
  const file = path.join(streamDir, WRITER_LOCK)
  const owner: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() }
  for (let attempt = 0; ; attempt++) {
    let fd: number
    try {
      fd = openSync(file, 'wx', 0o600)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw lockError(err, streamDir)
      const other = readOwner(file)
      if (other !== null && isAlive(other, file)) {
        throw new PromptLedgerError(
          'CONFIG_INVALID',
          `stream "${stream}" in ${path.dirname(streamDir)} is written by process ${other.pid} on ${other.host} ` +
            `(since ${other.since}): give each process a stream of its own (the stream option)`,
        )
      }
      // Its writer is gone: the folder is recovered as after any crash.
      unlinkSync(file)
      continue
    }
    try {
      writeSync(fd, `${JSON.stringify(owner)}\n`)
    } finally {
      closeSync(fd)
    }
    held.add(file)
    return () => {
      if (!held.delete(file)) return
      try {
        unlinkSync(file)
      } catch {
        // Already gone (the folder was removed): nothing holds it.
      }
    }
  }
}

function readOwner(file: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>
    return typeof o.pid === 'number' && typeof o.host === 'string'
      ? { pid: o.pid, host: o.host, since: String(o.since) }
      : null
  } catch {
    return null // half-written by a writer that died while taking it
  }
}

/** Whether the lock's owner still runs. On another host (a shared volume) that cannot be known: it is assumed. */
function isAlive(owner: LockOwner, file: string): boolean {
  if (owner.host !== hostname()) return true
  if (owner.pid === process.pid) return held.has(file)
  return processAlive(owner.pid)
}

function lockError(cause: unknown, streamDir: string): PromptLedgerError {
  return new PromptLedgerError('IO_ERROR', `cannot take the stream folder ${streamDir}`, { cause })
}
