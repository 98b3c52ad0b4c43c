import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import zlib from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { createLedger } from '../../ledger.js'
import { readRecords } from './read-ledger.js'
import { tempDir } from './test-support/ledger-fixture.js'
import { verifyLedger } from './verify-ledger.js'

// The children run the built package: `npm test` builds before running the suite.
const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'test-support', 'crash-child.mjs')
const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true, maxRetries: 3 })
})

/** Collects complete stdout lines; resolves `until` once `want` lines have arrived. */
function lines(child: ChildProcess) {
  const got: string[] = []
  let rest = ''
  let waiter: { n: number; resolve: () => void } | undefined
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n')
    rest = parts.pop()!
    got.push(...parts)
    if (waiter && got.length >= waiter.n) waiter.resolve()
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  const until = (n: number) =>
    new Promise<void>((resolve, reject) => {
      if (got.length >= n) return resolve()
      waiter = { n, resolve }
      void exited.then(() => (got.length >= n ? resolve() : reject(new Error('child exited early'))))
    })
  return { got, until, exited }
}

describe('crash safety', () => {
  it('every acknowledged id survives SIGKILL at random moments (20 trials)', { timeout: 120_000 }, async () => {
    // 4 ledgers x 5 trials each, the lanes in parallel: each trial reopens the ledger the last one killed.
    const lanes = await Promise.all(
      [0, 1, 2, 3].map(async () => {
        const dir = tempDir()
        dirs.push(dir)
        const acked: string[] = []
        for (let trial = 0; trial < 5; trial++) {
          const child = spawn(process.execPath, [CHILD, dir, 'crash'], { stdio: ['ignore', 'pipe', 'inherit'] })
          const out = lines(child)
          await out.until(1 + Math.floor(Math.random() * 80))
          child.kill('SIGKILL')
          await out.exited
          acked.push(...out.got.filter((l) => l.length > 0))
        }
        return { dir, acked }
      }),
    )
    for (const { dir, acked } of lanes) {
      // Reopening recovers a torn tail; closing writes the final checkpoint.
      const ledger = createLedger({ dir, stream: 'crash', handleExit: false })
      await ledger.close()
      expect(await verifyLedger(dir)).toMatchObject({ ok: true })
      const present = new Set<string>()
      for await (const r of readRecords(dir)) present.add(r.id)
      expect(acked.filter((id) => !present.has(id))).toEqual([])
      expect(acked.length).toBeGreaterThanOrEqual(5)
    }
  })

  it('SIGTERM flushes pending records and the process still dies by the signal', { timeout: 60_000 }, async () => {
    const dir = tempDir()
    dirs.push(dir)
    const child = spawn(process.execPath, [CHILD, dir, 'signal'], { stdio: ['ignore', 'pipe', 'inherit'] })
    const out = lines(child)
    await out.until(11)
    child.kill('SIGTERM')
    expect(await out.exited).toEqual({ code: null, signal: 'SIGTERM' })
    const present: string[] = []
    for await (const r of readRecords(dir)) present.push(r.id)
    expect(present).toEqual(out.got.slice(0, 10))
    expect((await verifyLedger(dir)).ok).toBe(true)
  })

  it('a process that ends on its own writes what it logged (beforeExit)', { timeout: 60_000 }, async () => {
    const dir = tempDir()
    dirs.push(dir)
    const child = spawn(process.execPath, [CHILD, dir, 'exit'], { stdio: ['ignore', 'pipe', 'inherit'] })
    const out = lines(child)
    expect(await out.exited).toEqual({ code: 0, signal: null })
    const present: string[] = []
    for await (const r of readRecords(dir)) present.push(r.id)
    expect(present).toEqual(out.got.filter(Boolean))
    expect(present).toHaveLength(3)
  })
})

describe('a crash after a seal wrote its manifest', () => {
  it("leaves the segment's .ndjson beside its archive: readers and verify take the archive, the writer removes it", async () => {
    const dir = tempDir()
    dirs.push(dir)
    const ledger = createLedger({ dir, stream: 's', handleExit: false, maxFileBytes: 2048 })
    for (let i = 0; i < 40; i++) ledger.log({ prompt: `question ${i} ${'x'.repeat(100)}`, response: 'ok' })
    await ledger.close()
    const streamDir = path.join(dir, 's')
    const archive = fs.readdirSync(streamDir).find((f) => /\.ndjson\.(?:gz|br)$/.test(f))!
    const base = archive.slice(0, archive.lastIndexOf('.ndjson.'))
    const inflate = archive.endsWith('.br') ? zlib.brotliDecompressSync : zlib.gunzipSync
    // What the seal had just compressed, still there: the state a crash between the manifest and the unlink leaves.
    fs.writeFileSync(path.join(streamDir, `${base}.ndjson`), inflate(fs.readFileSync(path.join(streamDir, archive))))
    expect(await verifyLedger(dir)).toMatchObject({ ok: true })
    const ids: string[] = []
    for await (const r of readRecords(dir)) ids.push(r.id)
    expect(ids).toHaveLength(40)
    expect(new Set(ids).size).toBe(40)
    const reopened = createLedger({ dir, stream: 's', handleExit: false, maxFileBytes: 2048 })
    await reopened.close()
    expect(fs.existsSync(path.join(streamDir, `${base}.ndjson`))).toBe(false)
    expect(await verifyLedger(dir)).toMatchObject({ ok: true })
  })
})
