import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLedger } from '../../ledger.js'
import { readManifest } from './manifest.js'
import { applyRetention, compactCheckpointLog, SealedSegments } from './retention.js'
import { ANCHOR_FILE, CHECKPOINTS_FILE } from './segment-files.js'
import { streamFiles, tempDirsPerTest, writeRecords } from './test-support/ledger-fixture.js'
import { verifyLedger } from './verify-ledger.js'

const dir = tempDirsPerTest()

const manifestsOf = (d: string) => streamFiles(d, '.manifest.json').map((m) => readManifest(path.join(d, 's', m)))

describe('SealedSegments', () => {
  it('reads the sealed segments of a folder oldest first, with their archives’ total size', async () => {
    const d = dir()
    await writeRecords(d, 60, { maxFileBytes: 4 * 1024, encrypt: false })
    const manifests = manifestsOf(d)
    expect(manifests.length).toBeGreaterThanOrEqual(5)
    const sealed = await SealedSegments.load(path.join(d, 's'))
    expect(sealed.count).toBe(manifests.length)
    expect(sealed.bytes).toBe(manifests.reduce((n, m) => n + m.bytes, 0))
    // The active segment (an `.ndjson` with no archive) is not among them.
    const seen: number[] = []
    while (sealed.oldest) {
      seen.push(sealed.oldest.manifest.first_seq)
      expect(fs.existsSync(path.join(d, 's', sealed.oldest.file))).toBe(true)
      sealed.dropOldest()
    }
    expect(seen).toEqual(manifests.map((m) => m.first_seq))
    expect(sealed.bytes).toBe(0)
  })
})

describe('applyRetention', () => {
  it('removes from the oldest end until the stream fits, anchoring the last removed checkpoint', async () => {
    const d = dir()
    await writeRecords(d, 60, { maxFileBytes: 4 * 1024, encrypt: false })
    const streamDir = path.join(d, 's')
    const sealed = await SealedSegments.load(streamDir)
    const before = manifestsOf(d)
    const keepBytes = before.slice(-2).reduce((n, m) => n + m.bytes, 0)
    const removed = await applyRetention(streamDir, sealed, { maxAgeDays: 30, maxTotalBytes: keepBytes }, 0)
    expect(removed).toEqual(before.slice(0, -2).map((m) => m.file))
    expect(sealed.count).toBe(2)
    expect(manifestsOf(d).map((m) => m.first_seq)).toEqual(before.slice(-2).map((m) => m.first_seq))
    const anchor = JSON.parse(fs.readFileSync(path.join(streamDir, ANCHOR_FILE), 'utf8'))
    expect(anchor.seq).toBe(before.at(-3)!.last_seq)
    expect((await verifyLedger(d)).ok).toBe(true)
  })

  it('goes on past a segment whose archive was already removed by hand', async () => {
    const d = dir()
    await writeRecords(d, 40, { maxFileBytes: 4 * 1024, encrypt: false })
    const streamDir = path.join(d, 's')
    const sealed = await SealedSegments.load(streamDir)
    fs.unlinkSync(path.join(streamDir, sealed.oldest!.file))
    const removed = await applyRetention(streamDir, sealed, { maxAgeDays: 30, maxTotalBytes: 0 }, 0)
    expect(removed.length).toBeGreaterThan(1)
    expect(sealed.count).toBe(0)
    expect(streamFiles(d, '.manifest.json')).toEqual([])
  })
})

describe('compactCheckpointLog', () => {
  function stream(log: string, anchorSeq: number | null): string {
    const d = dir()
    fs.mkdirSync(path.join(d, 's'))
    fs.writeFileSync(path.join(d, 's', CHECKPOINTS_FILE), log)
    if (anchorSeq !== null) fs.writeFileSync(path.join(d, 's', ANCHOR_FILE), `${JSON.stringify({ seq: anchorSeq })}\n`)
    return path.join(d, 's')
  }
  const line = (seq: number) => `${JSON.stringify({ stream: 's', seq, hash: 'h', ts: 't', sig: 'x' })}\n`
  const read = (s: string) => fs.readFileSync(path.join(s, CHECKPOINTS_FILE), 'utf8')

  it('drops the checkpoints below the anchor and keeps the rest byte for byte, a torn last line too', async () => {
    const kept = `${line(5)}${line(9)}{"stream":"s","se`
    const s = stream(`${line(0)}${line(3)}${kept}`, 4)
    expect(await compactCheckpointLog(s)).toBe(true)
    expect(read(s)).toBe(kept)
  })

  it('changes nothing when no checkpoint is below the anchor, or there is no anchor', async () => {
    const log = `${line(5)}${line(9)}`
    for (const anchorSeq of [5, null]) {
      const s = stream(log, anchorSeq)
      expect(await compactCheckpointLog(s)).toBe(false)
      expect(read(s)).toBe(log)
    }
  })

  it('stops at a line it cannot read and keeps everything from there', async () => {
    const s = stream(`${line(0)}not json\n${line(1)}${line(8)}`, 4)
    expect(await compactCheckpointLog(s)).toBe(true)
    expect(read(s)).toBe(`not json\n${line(1)}${line(8)}`)
  })

  it('keeps the checkpoints appended while it runs, and hands over the new log before any later append', async () => {
    const s = stream(`${line(0)}${line(3)}${line(5)}`, 4)
    const logFile = path.join(s, CHECKPOINTS_FILE)
    // The writer's descriptor, appended to as the ledger does (synchronously) at every turn of the event loop while
    // the log is read, copied and fsynced, and once more after the swap.
    let fd = fs.openSync(logFile, 'a')
    let settled = false
    const compacted = compactCheckpointLog(s, (next) => {
      fs.closeSync(fd)
      fd = next
    }).finally(() => {
      settled = true
    })
    let expected = line(5)
    let appends = 0
    for (let seq = 9; !settled; seq++, appends++) {
      fs.writeSync(fd, line(seq))
      expected += line(seq)
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(await compacted).toBe(true)
    expect(appends).toBeGreaterThan(2)
    fs.writeSync(fd, line(1000))
    fs.closeSync(fd)
    expect(read(s)).toBe(`${expected}${line(1000)}`)
    expect(fs.readdirSync(s).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})

describe('retention in a running ledger', () => {
  it('keeps the newest segments through many seals and compacts the checkpoint log by close', async () => {
    const d = dir()
    const ledger = createLedger({
      dir: d,
      stream: 's',
      handleExit: false,
      redact: false,
      encrypt: false,
      maxFileBytes: 4 * 1024,
      checkpointEvery: 4,
      retention: { maxAgeDays: 30, maxTotalBytes: 16 * 1024 },
    })
    // Batches of their own (flush between them): each seals segments and retention runs after each seal.
    for (let batch = 0; batch < 20; batch++) {
      for (let i = 0; i < 10; i++) ledger.log({ prompt: `${batch}-${i} ${'x'.repeat(400)}`, response: 'r' })
      await ledger.flush()
    }
    await ledger.close()
    const kept = manifestsOf(d)
    expect(kept.length).toBeGreaterThan(0)
    // The archives kept fit the bound (the active segment counts too), and the oldest records are gone.
    expect(kept.reduce((n, m) => n + m.bytes, 0)).toBeLessThanOrEqual(16 * 1024)
    expect(kept[0]!.first_seq).toBeGreaterThan(0)
    const anchor = JSON.parse(fs.readFileSync(path.join(d, 's', ANCHOR_FILE), 'utf8'))
    const seqs = fs
      .readFileSync(path.join(d, 's', CHECKPOINTS_FILE), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { seq: number }).seq)
    expect(Math.min(...seqs)).toBeGreaterThanOrEqual(anchor.seq)
    expect(await verifyLedger(d)).toMatchObject({ ok: true, streams: [{ head: { seq: 199 } }] })
  })
})
