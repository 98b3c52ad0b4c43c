import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SegmentManifest } from './manifest.js'
import { deflateLike, inflate } from './test-support/archive-bytes.js'
import { tempDir, writeRecords } from './test-support/ledger-fixture.js'
import { verifyLedger } from './verify-ledger.js'

// Seals made by the writer sign their archive's digest; verify proves such archives by that digest and
// falls back to the record-by-record check on any mismatch. One base ledger, a fresh copy per case.
// Run with clear records in gzip (the default) and brotli archives, and with encrypted records (brotli).
let base: string
const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true })
})

function copy(): string {
  const d = tempDir()
  dirs.push(d)
  fs.cpSync(base, d, { recursive: true })
  return d
}
function manifests(d: string): string[] {
  return fs
    .readdirSync(path.join(d, 's'))
    .filter((f) => f.endsWith('.manifest.json'))
    .sort()
    .map((f) => path.join(d, 's', f))
}
const readManifest = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8')) as SegmentManifest
/** The archive a manifest names, whatever its codec. */
const archiveOf = (manifestFile: string) => path.join(path.dirname(manifestFile), readManifest(manifestFile).file)

describe.each([
  ['gzip', false],
  ['brotli', false],
  ['brotli', true],
] as const)('signed archive digests (%s, encrypted: %s)', (archive, encrypt) => {
  beforeAll(async () => {
    base = tempDir()
    dirs.push(base)
    await writeRecords(base, 40, { maxFileBytes: 8 * 1024, checkpointEvery: 25, encrypt, archive })
  })

  it('every seal of this process signs its archive, and the checkpoint log keeps the plain form', () => {
    const files = manifests(base)
    expect(files.length).toBeGreaterThanOrEqual(3)
    for (const f of files) {
      const m = readManifest(f)
      expect(m.checkpoint.archive).toEqual({
        sha256: m.sha256,
        first_seq: m.first_seq,
        prev_hash: m.prev_hash,
        records: m.records,
      })
      expect(
        createHash('sha256')
          .update(fs.readFileSync(archiveOf(f)))
          .digest('hex'),
      ).toBe(m.sha256)
    }
    const log = fs.readFileSync(path.join(base, 's', 'checkpoints.ndjson'), 'utf8')
    expect(log).not.toContain('"archive"')
  })

  it('verify and verify --deep agree on an intact ledger', async () => {
    const fast = await verifyLedger(base)
    const deep = await verifyLedger(base, { deep: true })
    expect(fast).toEqual(deep)
    expect(fast).toMatchObject({ ok: true, streams: [{ records: 40 }] })
  })

  it('an archive rewritten with its manifest digest updated fails the signed claim and names the record', async () => {
    const d = copy()
    const f = manifests(d)[1]!
    const m = readManifest(f)
    const lines = inflate(archiveOf(f), fs.readFileSync(archiveOf(f)))
      .toString()
      .split('\n')
    const rec = JSON.parse(lines[1]!)
    lines[1] = lines[1]!.replace(`"user_id":"${rec.user_id}"`, '"user_id":"someone-else"')
    const gz = deflateLike(archiveOf(f), lines.join('\n'))
    fs.writeFileSync(archiveOf(f), gz)
    m.sha256 = createHash('sha256').update(gz).digest('hex')
    m.bytes = gz.length
    m.checkpoint.archive!.sha256 = m.sha256
    fs.writeFileSync(f, JSON.stringify(m))
    const r = await verifyLedger(d)
    expect(r).toMatchObject({ ok: false, problem: { kind: 'altered', seq: rec.seq, line: 2 } })
  })

  it('an archive re-compressed from the same records is still proven, record by record', async () => {
    const d = copy()
    const f = manifests(d)[0]!
    const gz = deflateLike(archiveOf(f), inflate(archiveOf(f), fs.readFileSync(archiveOf(f))), true)
    fs.writeFileSync(archiveOf(f), gz)
    const m = readManifest(f)
    // The digest no longer matches the signed one: the careful path runs and reports the manifest mismatch.
    const r = await verifyLedger(d)
    expect(r).toMatchObject({ ok: false, problem: { kind: 'altered', seq: m.last_seq } })
  })

  it('a segment continued after reopening is sealed without a claim and verified record by record', async () => {
    const d = tempDir()
    dirs.push(d)
    await writeRecords(d, 3, { maxFileBytes: 8 * 1024, encrypt })
    await writeRecords(d, 30, { maxFileBytes: 8 * 1024, encrypt })
    const [first, ...rest] = manifests(d).map(readManifest)
    expect(first!.checkpoint.archive).toBeUndefined()
    expect(rest.every((m) => m.checkpoint.archive !== undefined)).toBe(true)
    expect(await verifyLedger(d)).toMatchObject({ ok: true, streams: [{ records: 33 }] })
  })
})
