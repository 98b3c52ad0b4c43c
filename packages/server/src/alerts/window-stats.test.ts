import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSqliteStorage, type SqliteStorage } from '../storage/sqlite/sqlite-storage.js'
import type { Storage } from '../storage/storage.js'
import { sealAll, unsealed } from '../test-support/records.js'
import { WindowStats } from './window-stats.js'

const NOW = Date.parse('2026-03-10T12:31:17.000Z')
const DAY = 86_400_000
let dir: string
let storage: SqliteStorage
let reads: number
let counted: Storage

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pl-'))
  storage = openSqliteStorage({ path: join(dir, 'ledger.db') })
  // Two days of traffic, one record every 7 minutes, each app a few errors and costs.
  const records = []
  for (let t = NOW - 2 * DAY; t < NOW; t += 7 * 60_000) {
    const i = records.length
    records.push(
      unsealed({
        ts: new Date(t).toISOString(),
        app: i % 3 === 0 ? 'api' : 'web',
        status: i % 11 === 0 ? 'error' : 'ok',
        cost_usd: 0.01 * (i % 5),
        signals: { response_chars: 100 + (i % 50), uncertainty: i % 13 === 0, injection_score: (i % 17) / 20 },
      }),
    )
  }
  await storage.append(sealAll(records))
  reads = 0
  counted = {
    ...storage,
    stats: (filter, groupBy) => {
      reads++
      return storage.stats(filter, groupBy)
    },
  } as Storage
})
afterEach(async () => {
  await storage.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('WindowStats', () => {
  it('adds cached slices up to the same totals as one direct aggregate', async () => {
    const windows = new WindowStats(counted)
    windows.beginCycle()
    const got = await windows.totals({}, 'app', NOW - DAY, NOW, NOW)
    const direct = await storage.stats(
      { from: new Date(NOW - DAY).toISOString(), to: new Date(NOW).toISOString() },
      'app',
    )
    for (const row of direct) {
      const t = got.get(row.key)!
      expect(t.count).toBe(row.count)
      expect(t.errors).toBe(row.errors)
      expect(t.costUsd).toBeCloseTo(row.costUsd, 9)
      expect(t.uncertain).toBe(row.uncertain)
      expect(t.injectionMax).toBe(row.injectionMax)
      expect(t.chars / t.charsCount).toBeCloseTo(row.avgResponseChars!, 6)
    }
    expect(got.size).toBe(direct.length)
  })

  it('reads only the edges once the slices are cached, and drops slices no longer used', async () => {
    const windows = new WindowStats(counted)
    windows.beginCycle()
    await windows.totals({}, null, NOW - DAY, NOW, NOW)
    windows.endCycle()
    const first = reads
    expect(first).toBeGreaterThan(250) // 24 h of 5-minute slices
    reads = 0
    windows.beginCycle()
    await windows.totals({}, null, NOW + 60_000 - DAY, NOW + 60_000, NOW + 60_000)
    windows.endCycle()
    expect(reads).toBeLessThanOrEqual(3)
    const cached = windows.size
    windows.beginCycle()
    windows.endCycle()
    expect(cached).toBeGreaterThan(0)
    expect(windows.size).toBe(0)
  })

  it('picks up late records in an already cached slice after the refresh age', async () => {
    const windows = new WindowStats(counted, { refreshAfterMs: 60_000, refreshPerCall: 1000 })
    windows.beginCycle()
    const before = (await windows.totals({}, null, NOW - DAY, NOW, NOW)).get(null)!.count
    await storage.append(sealAll([unsealed({ ts: new Date(NOW - 6 * 3_600_000).toISOString() })], 'late-stream'))
    windows.beginCycle()
    expect((await windows.totals({}, null, NOW - DAY, NOW, NOW)).get(null)!.count).toBe(before)
    windows.beginCycle()
    const later = NOW + 120_000
    expect((await windows.totals({}, null, NOW - DAY, NOW, later)).get(null)!.count).toBe(before + 1)
  })

  it('counts a late record at once when told it was stored, re-reading only its slice', async () => {
    const windows = new WindowStats(counted)
    windows.beginCycle()
    const before = (await windows.totals({}, null, NOW - DAY, NOW, NOW)).get(null)!.count
    const late = NOW - 6 * 3_600_000
    await storage.append(sealAll([unsealed({ ts: new Date(late).toISOString() })], 'late-stream'))
    // Recent records cannot be in a cached slice: nothing is dropped for them.
    windows.forget([NOW - 1000], NOW)
    windows.forget([late], NOW)
    reads = 0
    windows.beginCycle()
    expect((await windows.totals({}, null, NOW - DAY, NOW, NOW)).get(null)!.count).toBe(before + 1)
    expect(reads).toBe(3) // the late record's slice and the two edges
  })

  it('does not keep a slice read before a record it was told of, even when another rule of the cycle reads it', async () => {
    const windows = new WindowStats(counted)
    const late = NOW - 6 * 3_600_000
    windows.beginCycle()
    // A first rule reads the day; the late record is stored and reported right after (the ingest event).
    const before = (await windows.totals({}, null, NOW - DAY, NOW, NOW)).get(null)!.count
    await storage.append(sealAll([unsealed({ ts: new Date(late).toISOString(), status: 'error' })], 'late-stream'))
    windows.forget([late], NOW)
    // A second rule of the same cycle, same window: the first rule's read of that slice must not come back as cached.
    await windows.totals({}, null, NOW - DAY, NOW, NOW)
    windows.endCycle()
    windows.beginCycle()
    expect((await windows.totals({}, null, NOW - DAY, NOW, NOW)).get(null)!.count).toBe(before + 1)
  })

  it('does not keep a slice whose read a forget overtook', async () => {
    const windows = new WindowStats(counted)
    const late = NOW - 6 * 3_600_000
    windows.beginCycle()
    const reading = windows.totals({}, null, NOW - DAY, NOW, NOW)
    // Told of a record while the day is being read (each slice read yields to the event loop first).
    await new Promise<void>((resolve) => setImmediate(resolve))
    await storage.append(sealAll([unsealed({ ts: new Date(late).toISOString() })], 'late-stream'))
    windows.forget([late], NOW)
    await reading
    windows.endCycle()
    windows.beginCycle()
    const after = (await windows.totals({}, null, NOW - DAY, NOW, NOW)).get(null)!.count
    const direct = await storage.stats(
      { from: new Date(NOW - DAY).toISOString(), to: new Date(NOW).toISOString() },
      null,
    )
    expect(after).toBe(direct[0]!.count)
  })
})
