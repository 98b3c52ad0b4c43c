import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AuditTrail, LOCAL_ACTOR } from '../auth/audit-trail.js'
import { openSqliteStorage } from '../storage/sqlite/sqlite-storage.js'
import { sealAll, unsealed } from '../test-support/records.js'
import { verifyArchive } from './archive-manifest.js'
import { RetentionScheduler } from './retention-scheduler.js'
import { runRetention } from './run-retention.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pl-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const now = new Date('2026-06-01T00:00:00.000Z')
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString()

async function seeded() {
  const storage = openSqliteStorage({ path: path.join(dir, 'ledger.db') })
  const ages = [90, 60, 45, 31, 29, 1]
  const records = [
    ...sealAll(
      ages.map((d) => unsealed({ ts: daysAgo(d) })),
      'a',
    ),
    ...sealAll([unsealed({ ts: daysAgo(40) })], 'b'),
  ]
  await storage.append(records)
  return { storage, records, audit: AuditTrail.open({ dir }) }
}

describe('runRetention', () => {
  it('counts without deleting on a dry run, and audits it', async () => {
    const { storage, audit } = await seeded()
    const base = { storage, audit, actor: LOCAL_ACTOR, route: 'cli: retention', now }
    const result = await runRetention({ ...base, policy: { maxAgeDays: 30, archive: false }, dryRun: true })
    expect(result).toMatchObject({ due: 5, deleted: 0, archive: null, dryRun: true })
    expect((await storage.stats({}, null))[0]?.count).toBe(7)
    expect(audit.list()).toMatchObject([
      { action: 'retention.dry-run', count: 0, filter: { due: 5, max_age_days: 30 } },
    ])
    await storage.close()
    audit.close()
  })

  it('archives into a sealed, verifiable gzip before deleting', async () => {
    const { storage, audit } = await seeded()
    const archiveDir = path.join(dir, 'archive')
    const result = await runRetention({
      storage,
      audit,
      actor: LOCAL_ACTOR,
      route: 'cli: retention',
      now,
      archiveDir,
      policy: { maxAgeDays: 30, archive: true },
    })
    expect(result.deleted).toBe(5)
    expect(result.archive?.manifest).toMatchObject({
      count: 5,
      streams: { a: { count: 4, first_seq: 0, last_seq: 3 } },
    })
    expect((await storage.stats({}, null))[0]?.count).toBe(2)
    const manifestFile = `${result.archive!.file}.manifest.json`
    expect(await verifyArchive(manifestFile)).toEqual({ ok: true, count: 5, problems: [] })
    expect(readdirSync(archiveDir).some((f) => f.endsWith('.partial'))).toBe(false)
    expect(audit.list()[0]).toMatchObject({ action: 'retention.run', count: 5 })
    expect(audit.verify().ok).toBe(true)

    // Tampering with one archived record is caught.
    const lines = gunzipSync(readFileSync(result.archive!.file)).toString().trim().split('\n')
    lines[1] = lines[1]!.replace('general kenobi', 'general grievous')
    writeFileSync(result.archive!.file, gzipSync(`${lines.join('\n')}\n`))
    const tampered = await verifyArchive(manifestFile)
    expect(tampered.ok).toBe(false)
    expect(tampered.problems.join(';')).toMatch(/SHA-256 differs.*|hash does not match/)
    await storage.close()
    audit.close()
  })

  it('runs on a schedule and reports failures instead of dropping them', async () => {
    const { storage, audit } = await seeded()
    const errors: unknown[] = []
    const runs: number[] = []
    let done!: () => void
    const finished = new Promise<void>((resolve) => {
      done = resolve
    })
    const scheduler = new RetentionScheduler({
      storage,
      audit,
      actor: { id: 'server', name: 'retention schedule', role: 'admin' },
      route: 'schedule: retention',
      policy: { maxAgeDays: 30, archive: true },
      intervalMs: 3_600_000,
      onRun: (r) => {
        runs.push(r.deleted)
        done()
      },
      onError: (err) => {
        errors.push(err)
        done()
      },
    })
    scheduler.start()
    await finished
    await scheduler.stop()
    // archive on without archiveDir is a configuration error, surfaced through onError.
    expect(runs).toEqual([])
    expect(String(errors[0])).toMatch(/archiveDir/)
    expect(scheduler.failures).toBe(1)
    await storage.close()
    audit.close()
  })
})
