import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { sealAll, unsealed } from '../../test-support/records.js'
import { runStorageCases } from '../storage.case.js'
import { openSqliteStorage } from './sqlite-storage.js'

const dir = mkdtempSync(join(tmpdir(), 'pl-'))
let n = 0
afterAll(() => rmSync(dir, { recursive: true, force: true }))

runStorageCases('sqlite', { create: async () => openSqliteStorage({ path: join(dir, `db-${n++}`, 'ledger.db') }) })

describe('SqliteStorage', () => {
  it('keeps records and stream heads across a reopen', async () => {
    const path = join(dir, 'reopen', 'ledger.db')
    const records = sealAll([unsealed(), unsealed()], 'c1')
    const first = openSqliteStorage({ path })
    await first.append(records)
    await first.close()
    const second = openSqliteStorage({ path })
    expect(await second.head('c1')).toEqual({ stream: 'c1', seq: 1, hash: records[1]!.hash })
    expect(await second.append(records)).toEqual({ inserted: 0, duplicates: 2 })
    await second.close()
  })

  it('orders more than 1024 records sharing one millisecond and pages through all of them', async () => {
    const storage = openSqliteStorage({ path: ':memory:' })
    const ts = '2026-01-01T00:00:00.000Z'
    const records = sealAll(Array.from({ length: 1100 }, () => unsealed({ ts })))
    await storage.append(records)
    await storage.append(sealAll([unsealed({ ts: '2026-01-01T00:00:00.001Z' })], 'other'))
    // A second spill from the same full millisecond, after rows of the next one took some of its rowids.
    await storage.append(
      sealAll(
        Array.from({ length: 1100 }, () => unsealed({ ts })),
        'third',
      ),
    )
    let count = 0
    let cursor: string | undefined
    do {
      const page = await storage.query({}, { limit: 500, ...(cursor ? { cursor } : {}) })
      count += page.records.length
      cursor = page.nextCursor ?? undefined
    } while (cursor)
    expect(count).toBe(2201)
    await storage.close()
  })

  it('rolls back the whole batch when a record conflicts with a stored seq', async () => {
    const storage = openSqliteStorage({ path: ':memory:' })
    const [a] = sealAll([unsealed()], 's')
    const [b, c] = sealAll([unsealed(), unsealed()], 's')
    await storage.append([a!])
    await expect(storage.append([c!, b!])).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(await storage.get(c!.id)).toBeNull()
    await storage.close()
  })
})
