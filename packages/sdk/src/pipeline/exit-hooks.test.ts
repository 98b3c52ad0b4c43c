import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { openEncryptor } from '../crypto/encrypt-stage.js'
import { readRecords } from '../exporters/file-ledger/read-ledger.js'
import { verifyLedger } from '../exporters/file-ledger/verify-ledger.js'
import { MemoryExporter } from '../exporters/memory-exporter.js'
import { createLedger, type LedgerWarning } from '../ledger.js'
import type { LedgerRecord } from '../record/schema.js'

// The children run the built package: `npm test` builds before running the suite.
const DIST = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'index.js')).href
const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true })
})

function child(dir: string, ending: string, calls = 50, stream: string | null = 's') {
  const script = `
    import { createLedger } from ${JSON.stringify(DIST)}
    const ledger = createLedger({ dir: ${JSON.stringify(dir)}${stream ? `, stream: '${stream}'` : ''} })
    for (let i = 0; i < ${calls}; i++)
      ledger.log({ prompt: 'question ' + i + ' from ana.lopez@example.com', response: 'quokkamarmalade', userId: 'u' + (i % 3) })
    ${ending}`
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
}

async function records(dir: string): Promise<LedgerRecord[]> {
  const out: LedgerRecord[] = []
  for await (const r of readRecords(dir)) out.push(r)
  return out
}

async function count(dir: string): Promise<number> {
  return (await records(dir)).length
}

function rescueFiles(dir: string): string[] {
  return fs.readdirSync(path.join(dir, 's')).filter((f) => f.startsWith('rescue-'))
}

/** Every file under `dir` that holds `needle`, as bytes. */
function holding(dir: string, needle: string): string[] {
  const found: string[] = []
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const file = path.join(entry.parentPath, entry.name)
    if (fs.readFileSync(file).includes(needle)) found.push(file)
  }
  return found
}

/** Opens the stream again (which seals what was rescued), closes it, and returns the warnings it gave. */
async function reopen(dir: string): Promise<LedgerWarning[]> {
  const warnings: LedgerWarning[] = []
  const ledger = createLedger({ dir, stream: 's', handleExit: false })
  ledger.on('warning', (w) => warnings.push(w))
  await ledger.close()
  return warnings
}

/** After the reopen: every call exactly once, in the order logged, the chain whole, no rescue file left. */
async function expectAllOnce(dir: string, calls: number): Promise<void> {
  const all = await records(dir)
  expect(all).toHaveLength(calls)
  expect(new Set(all.map((r) => r.id)).size).toBe(calls)
  const ids = all.map((r) => r.id)
  expect(ids).toEqual(ids.slice().sort()) // uuidv7: log order
  expect(rescueFiles(dir)).toEqual([])
  expect(fs.readdirSync(dir).filter((f) => f.endsWith('.rescue'))).toEqual([])
  const verified = await verifyLedger(dir)
  expect(verified.ok).toBe(true)
  const encryptor = openEncryptor({ dir })
  const questions = all.map((r) => JSON.stringify(encryptor.decryptRecord(r).request.messages))
  expect(questions.every((q) => q.includes('<EMAIL_ADDRESS>'))).toBe(true)
  expect(new Set(questions).size).toBe(calls)
}

describe('exit hooks', () => {
  it('write everything when the event loop empties, silently', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-exit-'))
    dirs.push(dir)
    const run = child(dir, '')
    expect(run.status).toBe(0)
    expect(run.stderr).toBe('')
    expect(await count(dir)).toBe(50)
  })

  it('rescue what is queued when process.exit() comes first: redacted and encrypted, sealed by the next open', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-exit-'))
    dirs.push(dir)
    const run = child(dir, 'process.exit(0)')
    expect(run.status).toBe(0)
    expect(run.stderr).toBe('')
    expect(rescueFiles(dir)).toHaveLength(1)
    expect(await count(dir)).toBe(0) // nothing reached the segment: all 50 are in the rescue file
    // Nothing raw on disk: the email was redacted, the response encrypted under the users' data keys.
    expect(holding(dir, 'ana.lopez@example.com')).toEqual([])
    expect(holding(dir, 'quokkamarmalade')).toEqual([])
    // verify tells an auditor the calls are there, not yet in the chain.
    const pending = await verifyLedger(dir)
    expect(pending.ok && pending.streams.map((s) => [s.records, s.rescued])).toEqual([[0, 50]])

    const warnings = await reopen(dir)
    expect(warnings.map((w) => w.message)).toContain("recovered: 50 calls rescued at an earlier process's exit")
    await expectAllOnce(dir, 50)
  })

  it('seal the rescue of a per-process stream from the next ledger on the data dir, whatever its stream', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-exit-'))
    dirs.push(dir)
    // The default stream name is `<hostname>-<pid>`: no later process opens that stream again.
    expect(child(dir, 'process.exit(0)', 50, null).status).toBe(0)
    const [stream] = fs.readdirSync(dir).filter((f) => f.endsWith('.rescue'))
    expect(stream).toMatch(/-\d+\.rescue$/)
    const warnings: LedgerWarning[] = []
    const memory = new MemoryExporter() // an exporter beside the file ledger (a collector) gets them too
    const other = createLedger({ dir, stream: 'next-process', handleExit: false, exporters: [memory] })
    other.on('warning', (w) => warnings.push(w))
    other.log({ prompt: 'own call', response: 'ok' })
    await other.close()
    expect(warnings.map((w) => w.message).join('\n')).toContain(
      'recovered: 50 calls rescued at the exit of the process',
    )
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.rescue'))).toEqual([])
    const all = await records(dir)
    expect(all.filter((r) => r.stream === stream!.slice(0, -'.rescue'.length))).toHaveLength(50)
    expect(all.filter((r) => r.stream === 'next-process')).toHaveLength(1)
    expect(memory.records.map((r) => r.id).sort()).toEqual(all.map((r) => r.id).sort())
    expect((await verifyLedger(dir)).ok).toBe(true)
  })

  it('rescue on an uncaught exception too', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-exit-'))
    dirs.push(dir)
    const run = child(dir, `setImmediate(() => { throw new Error('boom') })`)
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('boom')
    expect(run.stderr).not.toContain('lost')
    await reopen(dir)
    await expectAllOnce(dir, 50)
  })

  it('seal nothing twice when batches were being written at the exit', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-exit-'))
    dirs.push(dir)
    // Exits as soon as the first batch is written: later batches are in flight (their records may be in the segment
    // already without the ledger knowing), the rest queued.
    const run = child(dir, 'setInterval(() => { if (ledger.stats().written > 0) process.exit(0) }, 1)', 6000)
    expect(run.status).toBe(0)
    expect(run.stderr).toBe('')
    const before = await count(dir)
    expect(before).toBeGreaterThan(0)
    expect(before).toBeLessThan(6000)
    await reopen(dir)
    await expectAllOnce(dir, 6000)
  })

  it('keep a rescue file whose records were written just before the exit from sealing them again', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-exit-'))
    dirs.push(dir)
    expect(child(dir, 'process.exit(0)').status).toBe(0)
    const [name] = rescueFiles(dir)
    const copy = fs.readFileSync(path.join(dir, 's', name!))
    await reopen(dir)
    // The same file again, as if the process had died between writing the records and removing it.
    fs.writeFileSync(path.join(dir, 's', name!), copy, { mode: 0o600 })
    const warnings = await reopen(dir)
    expect(warnings.map((w) => w.message)).toContain(
      "recovered: 0 calls rescued at an earlier process's exit, 50 found written already",
    )
    await expectAllOnce(dir, 50)
  })
})
