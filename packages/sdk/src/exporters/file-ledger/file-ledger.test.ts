import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLedger } from '../../ledger.js'
import { readManifest } from './manifest.js'
import { readRecords } from './read-ledger.js'
import { CHECKPOINTS_FILE } from './segment-files.js'
import { inflate, isArchive } from './test-support/archive-bytes.js'
import { streamFiles, tempDirsPerTest, writeRecords } from './test-support/ledger-fixture.js'
import { verifyLedger } from './verify-ledger.js'

const dir = tempDirsPerTest()

describe('file ledger', () => {
  // By default clear records are sealed with gzip, encrypted ones with brotli; either codec for both when asked.
  it.each([
    ['auto', false, '.ndjson.gz'],
    ['auto', true, '.ndjson.br'],
    ['brotli', false, '.ndjson.br'],
    ['gzip', true, '.ndjson.gz'],
  ] as const)(
    'rotates by size and seals segments (archive: %s, encrypted: %s) with a manifest',
    async (archive, encrypt, ext) => {
      const d = dir()
      const ids = await writeRecords(d, 40, { maxFileBytes: 8 * 1024, encrypt, archive })
      expect(streamFiles(d, ext === '.ndjson.gz' ? '.ndjson.br' : '.ndjson.gz')).toEqual([])
      const archives = streamFiles(d, ext)
      expect(archives.length).toBeGreaterThanOrEqual(4)
      for (const a of archives) {
        const m = readManifest(path.join(d, 's', a.replace(ext, '.manifest.json')))
        expect(m.file).toBe(a)
        const lines = inflate(a, fs.readFileSync(path.join(d, 's', a)))
          .toString()
          .trim()
          .split('\n')
        expect(lines).toHaveLength(m.last_seq - m.first_seq + 1)
        expect(JSON.parse(lines.at(-1)!).hash).toBe(m.head_hash)
        expect(m.checkpoint.seq).toBe(m.last_seq)
        expect(fs.statSync(path.join(d, 's', a)).size).toBeLessThanOrEqual(8 * 1024)
      }
      for (const f of streamFiles(d, '.ndjson'))
        expect(fs.statSync(path.join(d, 's', f)).size).toBeLessThanOrEqual(8 * 1024)
      const seen: string[] = []
      for await (const r of readRecords(d)) seen.push(r.id)
      expect(seen).toEqual(ids)
      expect(await verifyLedger(d)).toMatchObject({ ok: true, streams: [{ records: 40 }] })
    },
  )

  it('seals every segment of a burst, manifests oldest first', async () => {
    const d = dir()
    await writeRecords(d, 240, { maxFileBytes: 4 * 1024, encrypt: false })
    const archives = streamFiles(d, '.ndjson.gz')
    expect(archives.length).toBeGreaterThanOrEqual(40)
    // Only the active segment is left unsealed, and every archive has its manifest.
    expect(streamFiles(d, '.ndjson').filter((f) => f !== CHECKPOINTS_FILE).length).toBeLessThanOrEqual(1)
    expect(streamFiles(d, '.manifest.json').map((m) => m.replace('.manifest.json', '.ndjson.gz'))).toEqual(archives)
    // Manifests link up oldest first, and the checkpoint log only ever moves forward.
    const manifests = archives.map((a) => readManifest(path.join(d, 's', a.replace('.ndjson.gz', '.manifest.json'))))
    for (let i = 1; i < manifests.length; i++) {
      expect(manifests[i]!.first_seq).toBe(manifests[i - 1]!.last_seq + 1)
      expect(manifests[i]!.prev_hash).toBe(manifests[i - 1]!.head_hash)
    }
    const seqs = fs
      .readFileSync(path.join(d, 's', CHECKPOINTS_FILE), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { seq: number }).seq)
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!)
    expect(await verifyLedger(d)).toMatchObject({ ok: true, streams: [{ records: 240 }] })
  })

  it('rotates by age', async () => {
    const d = dir()
    await writeRecords(d, 3, { maxSegmentAgeMs: 1 })
    // Each close/flush cycle is one batch; age 1 ms seals the segment before each later write.
    await writeRecords(d, 3, { maxSegmentAgeMs: 1 })
    expect(fs.readdirSync(path.join(d, 's')).filter(isArchive).length).toBeGreaterThanOrEqual(1)
    expect((await verifyLedger(d)).ok).toBe(true)
  })

  it('continues the chain across reopen', async () => {
    const d = dir()
    await writeRecords(d, 5)
    await writeRecords(d, 5)
    expect(await verifyLedger(d)).toMatchObject({ ok: true, streams: [{ records: 10, head: { seq: 9 } }] })
  })

  it('retention by age removes old sealed segments and stays verifiable from the anchor', async () => {
    const d = dir()
    const ledger = createLedger({ dir: d, stream: 's', handleExit: false, redact: false, maxFileBytes: 4096 })
    const old = Date.now() - 40 * 86_400_000
    for (let i = 0; i < 30; i++) ledger.log({ prompt: 'x'.repeat(500), startTime: old })
    await ledger.flush()
    for (let i = 0; i < 10; i++) ledger.log({ prompt: 'y'.repeat(500) })
    await ledger.close()
    expect(fs.existsSync(path.join(d, 's', 'anchor.json'))).toBe(true)
    const kept: number[] = []
    for await (const r of readRecords(d)) kept.push(r.seq)
    expect(kept[0]).toBeGreaterThan(0)
    expect(kept.at(-1)).toBe(39)
    expect((await verifyLedger(d)).ok).toBe(true)
  })

  it('retention by total size keeps the folder bounded', async () => {
    const d = dir()
    await writeRecords(d, 200, { maxFileBytes: 8 * 1024, retention: { maxAgeDays: 30, maxTotalBytes: 20 * 1024 } })
    const total = fs
      .readdirSync(path.join(d, 's'))
      .filter((f) => f.includes('.ndjson'))
      .reduce((n, f) => n + fs.statSync(path.join(d, 's', f)).size, 0)
    expect(total).toBeLessThanOrEqual(20 * 1024 + 8 * 1024)
    const r = await verifyLedger(d)
    expect(r.ok).toBe(true)
    expect(r.streams[0]!.head.seq).toBe(199)
  })

  it("retention also drops the removed records' checkpoints from the log, and the ledger goes on", async () => {
    const d = dir()
    const options = {
      maxFileBytes: 8 * 1024,
      checkpointEvery: 3,
      retention: { maxAgeDays: 30, maxTotalBytes: 20 * 1024 },
    }
    await writeRecords(d, 120, options)
    await writeRecords(d, 30, options)
    const anchor = JSON.parse(fs.readFileSync(path.join(d, 's', 'anchor.json'), 'utf8'))
    const seqs = fs
      .readFileSync(path.join(d, 's', 'checkpoints.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).seq as number)
    expect(seqs.length).toBeGreaterThan(0)
    expect(Math.min(...seqs)).toBeGreaterThanOrEqual(anchor.seq)
    const r = await verifyLedger(d)
    expect(r).toMatchObject({ ok: true, streams: [{ head: { seq: 149 } }] })
  })

  it('cuts a torn last line on open, reports it, and the chain continues', async () => {
    const d = dir()
    await writeRecords(d, 5)
    const active = path.join(d, 's', streamFiles(d, '.ndjson')[0]!)
    fs.appendFileSync(active, '{"app":null,"cost_us')
    const before = await verifyLedger(d)
    expect(before).toMatchObject({ ok: false, problem: { kind: 'truncated', seq: 5, line: 6 } })
    const ledger = createLedger({ dir: d, stream: 's', handleExit: false })
    const warnings: unknown[] = []
    ledger.on('warning', (w) => warnings.push(w))
    ledger.log({ prompt: 'after' })
    await ledger.close()
    expect(warnings).toEqual([{ message: 'recovered: torn-line', file: path.basename(active) }])
    expect(ledger.stats().recovered).toBe(1)
    expect(await verifyLedger(d)).toMatchObject({ ok: true, streams: [{ records: 6 }] })
  })

  it('finishes a seal interrupted after the manifest was written', async () => {
    const d = dir()
    await writeRecords(d, 30, { maxFileBytes: 4096 })
    const [first] = fs.readdirSync(path.join(d, 's')).filter(isArchive).sort()
    // Recreate the source of a sealed segment, as a crash before its removal would leave it.
    const base = first!.replace(/\.ndjson\.(gz|br)$/, '')
    fs.writeFileSync(path.join(d, 's', `${base}.ndjson`), inflate(first!, fs.readFileSync(path.join(d, 's', first!))))
    await writeRecords(d, 1, { maxFileBytes: 4096 })
    expect(fs.existsSync(path.join(d, 's', `${base}.ndjson`))).toBe(false)
    expect((await verifyLedger(d)).ok).toBe(true)
  })
})
