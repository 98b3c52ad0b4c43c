import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readRecords } from './read-ledger.js'
import { deflateLike, inflate, isArchive } from './test-support/archive-bytes.js'
import { tempDir, writeRecords } from './test-support/ledger-fixture.js'
import { verifyLedger } from './verify-ledger.js'

// One ledger of 60 records in sealed segments plus an active one; every run tampers with a fresh copy.
// The first 30 records are written clear (gzip archives), the rest encrypted (brotli archives), so
// tampering hits archives of both codecs in one stream.
let base: string
const copies: string[] = []
beforeAll(async () => {
  base = tempDir()
  await writeRecords(base, 30, { maxFileBytes: 8 * 1024, checkpointEvery: 25, encrypt: false })
  await writeRecords(base, 30, { maxFileBytes: 8 * 1024, checkpointEvery: 25 })
})
afterAll(() => {
  for (const d of [base, ...copies]) fs.rmSync(d, { recursive: true, force: true })
})

function copy(): string {
  const d = tempDir()
  copies.push(d)
  fs.cpSync(base, d, { recursive: true })
  return d
}

interface Seg {
  file: string
  sealed: boolean
}
function segments(dir: string): Seg[] {
  return fs
    .readdirSync(path.join(dir, 's'))
    .filter((f) => /^\d{16}-/.test(f) && (f.endsWith('.ndjson') || isArchive(f)))
    .sort()
    .map((f) => ({ file: path.join(dir, 's', f), sealed: isArchive(f) }))
}
function readLines(seg: Seg): string[] {
  const text = seg.sealed ? inflate(seg.file, fs.readFileSync(seg.file)).toString() : fs.readFileSync(seg.file, 'utf8')
  return text.split('\n').slice(0, -1)
}
function writeLines(seg: Seg, lines: string[]): void {
  const text = lines.map((l) => `${l}\n`).join('')
  fs.writeFileSync(seg.file, seg.sealed ? deflateLike(seg.file, text) : text)
}
const seqOf = (line: string) => JSON.parse(line).seq as number

const runs = { numRuns: 15 }

describe('tamper detection', () => {
  it('intact ledger verifies', async () => {
    expect((await verifyLedger(base)).ok).toBe(true)
  })

  it('gzip and brotli archives in one stream read and verify, fast and deep', async () => {
    const archives = segments(base).filter((s) => s.sealed)
    expect(archives.some((s) => s.file.endsWith('.ndjson.gz'))).toBe(true)
    expect(archives.some((s) => s.file.endsWith('.ndjson.br'))).toBe(true)
    const seqs: number[] = []
    for await (const r of readRecords(base)) seqs.push(r.seq)
    expect(seqs).toEqual(Array.from({ length: 60 }, (_, i) => i))
    const fast = await verifyLedger(base)
    expect(fast).toMatchObject({ ok: true, streams: [{ records: 60 }] })
    expect(await verifyLedger(base, { deep: true })).toEqual(fast)
  })

  it('an archive put in place of another codec is not the sealed segment', async () => {
    const d = copy()
    const victim = segments(d).find((s) => s.file.endsWith('.ndjson.gz'))!
    const text = readLines(victim)
      .map((l) => `${l}\n`)
      .join('')
    const swapped = victim.file.replace(/\.gz$/, '.br')
    fs.writeFileSync(swapped, deflateLike(swapped, text))
    fs.rmSync(victim.file)
    const r = await verifyLedger(d)
    expect(r).toMatchObject({ ok: false, problem: { kind: 'altered', file: path.basename(swapped) } })
  })

  it('a random byte flip in the active segment names the altered record', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 7 }), async (a, b, bit) => {
        const d = copy()
        const active = segments(d).at(-1)!
        const lines = readLines(active)
        const k = a % lines.length
        const bytes = Buffer.from(`${lines[k]}\n`)
        const at = b % bytes.length
        bytes[at]! ^= 1 << bit
        const buf = Buffer.concat([
          Buffer.from(
            lines
              .slice(0, k)
              .map((l) => `${l}\n`)
              .join(''),
          ),
          bytes,
          Buffer.from(
            lines
              .slice(k + 1)
              .map((l) => `${l}\n`)
              .join(''),
          ),
        ])
        fs.writeFileSync(active.file, buf)
        const r = await verifyLedger(d)
        expect(r.ok).toBe(false)
        if (r.ok) return
        expect(r.problem.seq).toBe(seqOf(lines[k]!))
        expect(r.problem.line).toBe(k + 1)
        expect(['altered', 'truncated']).toContain(r.problem.kind)
      }),
      runs,
    )
  })

  it('a deleted line is reported missing (or truncated at the end), naming it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), async (a, b) => {
        const d = copy()
        const segs = segments(d)
        const seg = segs[a % segs.length]!
        const lines = readLines(seg)
        const k = b % lines.length
        const gone = seqOf(lines[k]!)
        lines.splice(k, 1)
        writeLines(seg, lines)
        const r = await verifyLedger(d)
        expect(r.ok).toBe(false)
        if (r.ok) return
        expect(r.problem.seq).toBe(gone)
        expect(['missing', 'truncated']).toContain(r.problem.kind)
      }),
      runs,
    )
  })

  it('swapped lines are reported reordered', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), async (a, b) => {
        const d = copy()
        const segs = segments(d)
        const seg = segs[a % segs.length]!
        const lines = readLines(seg)
        const k = b % (lines.length - 1)
        const first = seqOf(lines[k]!)
        ;[lines[k], lines[k + 1]] = [lines[k + 1]!, lines[k]!]
        writeLines(seg, lines)
        const r = await verifyLedger(d)
        expect(r).toMatchObject({ ok: false, problem: { kind: 'reordered', seq: first, line: k + 1 } })
      }),
      runs,
    )
  })

  it('a truncated active segment is reported truncated from the first lost record', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), async (a) => {
        const d = copy()
        const active = segments(d).at(-1)!
        const lines = readLines(active)
        const size = fs.statSync(active.file).size
        const keep = a % size
        fs.truncateSync(active.file, keep)
        let firstLost = seqOf(lines[0]!)
        let offset = 0
        // A line whose bytes are all kept is kept, its newline or not (a crash between the record and its newline
        // loses nothing): the first lost record is the first one cut.
        for (const l of lines) {
          offset += Buffer.byteLength(l)
          if (offset > keep) break
          firstLost = seqOf(l) + 1
          offset += 1
        }
        const r = await verifyLedger(d)
        expect(r).toMatchObject({ ok: false, problem: { kind: 'truncated', seq: firstLost } })
      }),
      runs,
    )
  })

  it('a deleted middle segment is reported missing at its first record', async () => {
    const d = copy()
    const sealed = segments(d).filter((s) => s.sealed)
    expect(sealed.length).toBeGreaterThanOrEqual(3)
    const victim = sealed[1]!
    const first = seqOf(readLines(victim)[0]!)
    fs.rmSync(victim.file)
    fs.rmSync(victim.file.replace(/\.ndjson\.(gz|br)$/, '.manifest.json'))
    const r = await verifyLedger(d)
    expect(r).toMatchObject({ ok: false, problem: { kind: 'missing', seq: first } })
  })

  it('a forged checkpoint is reported as a bad signature', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.constantFrom('hash', 'seq', 'sig'), async (a, field) => {
        const d = copy()
        const file = path.join(d, 's', 'checkpoints.ndjson')
        const lines = fs.readFileSync(file, 'utf8').trim().split('\n')
        const k = a % lines.length
        const cp = JSON.parse(lines[k]!)
        if (field === 'hash') cp.hash = cp.hash.replace(/^./, (c: string) => (c === 'a' ? 'b' : 'a'))
        if (field === 'seq') cp.seq += 1
        if (field === 'sig') cp.sig = Buffer.alloc(64, 1).toString('base64')
        lines[k] = JSON.stringify(cp)
        fs.writeFileSync(file, `${lines.join('\n')}\n`)
        const r = await verifyLedger(d)
        expect(r).toMatchObject({ ok: false, problem: { kind: 'bad-signature', seq: cp.seq, line: k + 1 } })
      }),
      runs,
    )
  })

  it('a record rewritten with a recomputed hash is caught by the next link', async () => {
    const d = copy()
    const active = segments(d).at(-1)!
    const lines = readLines(active)
    const rec = JSON.parse(lines[1]!)
    rec.user_id = 'someone-else'
    const { encodeRecord } = await import('../../seal/encode-record.js')
    delete rec.hash
    lines[1] = encodeRecord(rec).line
    writeLines(active, lines)
    const r = await verifyLedger(d)
    expect(r).toMatchObject({ ok: false, problem: { kind: 'altered', seq: rec.seq, line: 2 } })
  })

  it('a flipped byte in an archive is detected', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 7 }), async (which, a, bit) => {
        const d = copy()
        const sealed = segments(d).filter((s) => s.sealed)
        const seg = sealed[which % sealed.length]!
        const bytes = fs.readFileSync(seg.file)
        bytes[a % bytes.length]! ^= 1 << bit
        fs.writeFileSync(seg.file, bytes)
        expect((await verifyLedger(d)).ok).toBe(false)
        expect((await verifyLedger(d, { deep: true })).ok).toBe(false)
      }),
      runs,
    )
  })
})
