import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs'
import path from 'node:path'
import { PromptLedgerError } from '../errors.js'

/**
 * Replaces a file atomically: write a 0600 temp file, fsync it, rename over the target, fsync the
 * directory. The old bytes are never rewritten in place, and the rename drops the old inode, so a
 * destroyed key leaves no copy in the live file.
 */
export function writeFileAtomic(file: string, data: string | Buffer): void {
  const dir = path.dirname(file)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`
  try {
    const fd = openSync(tmp, 'w', 0o600)
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, file)
    syncDir(dir)
  } catch (cause) {
    throw new PromptLedgerError('IO_ERROR', `could not write ${file}`, { cause })
  }
}

function syncDir(dir: string): void {
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
