import { spawn } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createLedger } from '../../ledger.js'
import { lockStream, WRITER_LOCK } from './writer-lock.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

function fresh(): string {
  const dir = fs.mkdtempSync(path.join(tmpdir(), 'pl-lock-'))
  dirs.push(dir)
  return dir
}

describe('stream writer lock', () => {
  it('refuses a second writer of one stream, in this process or another, naming the one that writes', async () => {
    const dir = fresh()
    const a = createLedger({ dir, stream: 'shared', handleExit: false })
    expect(() => createLedger({ dir, stream: 'shared', handleExit: false })).toThrow(
      /stream "shared" .* is written by process \d+ .*give each process a stream of its own/,
    )
    // Another stream of the same dir is free.
    const b = createLedger({ dir, stream: 'other', handleExit: false })
    await b.close()
    await a.close()
    // Released on close: the stream can be opened again.
    const again = createLedger({ dir, stream: 'shared', handleExit: false })
    again.log({ prompt: 'after' })
    await again.close()

    const streamDir = path.join(fresh(), 'busy')
    fs.mkdirSync(streamDir, { recursive: true })
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' })
    try {
      const lock = { pid: child.pid, host: hostname(), since: new Date().toISOString() }
      fs.writeFileSync(path.join(streamDir, WRITER_LOCK), JSON.stringify(lock))
      expect(() => lockStream(streamDir, 'busy')).toThrow(new RegExp(`process ${child.pid}`))
    } finally {
      child.kill()
      await once(child, 'exit')
    }
    // Its writer died: the lock is taken over, and released again.
    const release = lockStream(streamDir, 'busy')
    expect(JSON.parse(fs.readFileSync(path.join(streamDir, WRITER_LOCK), 'utf8')).pid).toBe(process.pid)
    release()
    expect(fs.existsSync(path.join(streamDir, WRITER_LOCK))).toBe(false)
  })

  it('takes over a lock that names this pid but was not taken here (a restarted container), or is half-written', () => {
    const streamDir = path.join(fresh(), 's')
    fs.mkdirSync(streamDir, { recursive: true })
    const file = path.join(streamDir, WRITER_LOCK)
    fs.writeFileSync(file, JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-01-01T00:00:00Z' }))
    lockStream(streamDir, 's')()
    fs.writeFileSync(file, '{"pid":')
    lockStream(streamDir, 's')()
  })
})
