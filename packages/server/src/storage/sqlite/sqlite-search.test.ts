import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { sealAll, unsealed } from '../../test-support/records.js'
import { runStorageCases } from '../storage.case.js'
import { FTS_AUTOMERGE } from './sqlite-schema.js'
import { openSqliteStorage } from './sqlite-storage.js'

const dir = mkdtempSync(join(tmpdir(), 'pl-search-'))
let n = 0
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// The inline layout (index written inside the append) serves in-memory stores and files from before version 3.
runStorageCases('sqlite in memory', { create: async () => openSqliteStorage({ path: ':memory:' }) })

/** The WAL header's checkpoint sequence number: SQLite adds one every time the WAL restarts. */
const walRestarts = (path: string) => readFileSync(`${path}-wal`).readUInt32BE(12)

const said = (word: string) =>
  unsealed({ request: { model: 'gpt-4o', messages: [{ role: 'user', content: `please ${word} now` }] } })

describe('the search index of a file store', () => {
  it('lives in its own file, and a record is searchable as soon as its append is acknowledged', async () => {
    const path = join(dir, `db-${n++}`, 'ledger.db')
    const storage = openSqliteStorage({ path })
    for (let i = 0; i < 5; i++) {
      const [record] = sealAll([said(`word${i}`)], `s${i}`)
      await storage.append([record!])
      // No wait in between: the query itself waits for the batches acknowledged before it.
      const found = await storage.query({ q: `word${i}` }, { limit: 10 })
      expect(found.records.map((r) => r.id)).toEqual([record!.id])
      expect(await storage.stats({ q: `word${i}` }, null)).toMatchObject([{ count: 1 }])
    }
    await storage.close()
    expect(existsSync(`${path}-search`)).toBe(true)
    const raw = new Database(path, { readonly: true })
    expect(raw.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'records_fts'").pluck().get()).toBe(0)
    raw.close()
  })

  it('merges FTS5 segments eight at a time, also in an index created with the default of four', async () => {
    const path = join(dir, `db-${n++}`, 'ledger.db')
    const automerge = () => {
      const raw = new Database(`${path}-search`, { readonly: true })
      const value = raw.prepare("SELECT v FROM records_fts_config WHERE k = 'automerge'").pluck().get()
      raw.close()
      return value
    }
    const storage = openSqliteStorage({ path })
    const records = sealAll([said('alpha'), said('bravo')])
    await storage.append([records[0]!])
    await storage.close()
    expect(automerge()).toBe(FTS_AUTOMERGE)
    // What an index from before this setting holds: FTS5's default.
    const search = new Database(`${path}-search`)
    search.exec("INSERT INTO records_fts(records_fts, rank) VALUES ('automerge', 4)")
    expect(search.prepare("SELECT v FROM records_fts_config WHERE k = 'automerge'").pluck().get()).toBe(4)
    search.close()
    const reopened = openSqliteStorage({ path })
    await reopened.append([records[1]!])
    expect((await reopened.query({ q: 'alpha' }, { limit: 10 })).records.map((r) => r.id)).toEqual([records[0]!.id])
    await reopened.close()
    expect(automerge()).toBe(FTS_AUTOMERGE)
    // Set already: another open writes nothing, so it does not wait for a writer of the search file.
    const writer = new Database(`${path}-search`)
    writer.exec('BEGIN IMMEDIATE')
    const third = openSqliteStorage({ path })
    writer.exec('ROLLBACK')
    writer.close()
    expect((await third.query({ q: 'bravo' }, { limit: 10 })).records.map((r) => r.id)).toEqual([records[1]!.id])
    await third.close()
  })

  it('indexes again, on open, the batches a stopped process had committed but not indexed', async () => {
    const path = join(dir, `db-${n++}`, 'ledger.db')
    const first = openSqliteStorage({ path })
    const records = sealAll([said('alpha'), said('bravo')])
    await first.append(records)
    await first.close()
    // What a crash right after the commit leaves: the batch stored and queued, the index without it.
    const search = new Database(`${path}-search`)
    search.exec('DELETE FROM records_fts; DELETE FROM search_state')
    search.close()
    const second = openSqliteStorage({ path })
    expect((await second.query({ q: 'bravo' }, { limit: 10 })).records.map((r) => r.id)).toEqual([records[1]!.id])
    await second.close()
  })

  it('keeps the index of a file from before version 3 inside that file', async () => {
    const folder = join(dir, `db-${n++}`)
    mkdirSync(folder)
    const path = join(folder, 'ledger.db')
    const old = new Database(path)
    old.exec("CREATE VIRTUAL TABLE records_fts USING fts5(text, content='', contentless_delete=1)")
    old.pragma('user_version = 2')
    old.close()
    const storage = openSqliteStorage({ path })
    await storage.append(sealAll([said('charlie'), said('order_id')]))
    expect((await storage.query({ q: 'charlie' }, { limit: 10 })).records).toHaveLength(1)
    // An index with token positions (the old definition) answers the same queries.
    expect((await storage.query({ q: 'order_id' }, { limit: 10 })).records).toHaveLength(1)
    await storage.close()
    expect(existsSync(`${path}-search`)).toBe(false)
  })

  it('finds words the tokenizer splits (snake_case), though the index keeps no token positions', async () => {
    const path = join(dir, `db-${n++}`, 'ledger.db')
    const storage = openSqliteStorage({ path })
    const records = sealAll([said('refund_status'), said('status of the refund')])
    await storage.append(records)
    const ids = async (q: string) => (await storage.query({ q }, { limit: 10 })).records.map((r) => r.id)
    expect(await ids('refund_status')).toEqual([records[1]!.id, records[0]!.id])
    expect(await ids('please refund_status now')).toEqual([records[1]!.id, records[0]!.id])
    expect(await ids('order_status')).toEqual([])
    await storage.close()
  })

  it('forgets an index left by another ledger file at the same path', async () => {
    const path = join(dir, `db-${n++}`, 'ledger.db')
    const first = openSqliteStorage({ path })
    await first.append(sealAll([said('delta')]))
    await first.append(sealAll([said('echo')], 'other'))
    await first.close()
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true })
    const second = openSqliteStorage({ path })
    const [record] = sealAll([said('foxtrot')])
    await second.append([record!])
    expect((await second.query({ q: 'delta' }, { limit: 10 })).records).toEqual([])
    expect((await second.query({ q: 'foxtrot' }, { limit: 10 })).records.map((r) => r.id)).toEqual([record!.id])
    await second.close()
  })

  it('checkpoints the ledger WAL by size, so an append does not restart the WAL after every batch', async () => {
    const path = join(dir, `db-${n++}`, 'ledger.db')
    const storage = openSqliteStorage({ path })
    await storage.append(sealAll([said('w0')], 'w0'))
    // A full-text query waits for the worker to handle every batch before it, checkpoint included.
    await storage.query({ q: 'w0' }, { limit: 1 })
    const restarts = walRestarts(path)
    for (let i = 1; i <= 20; i++) {
      await storage.append(sealAll([said(`w${i}`)], `w${i}`))
      expect((await storage.query({ q: `w${i}` }, { limit: 1 })).records).toHaveLength(1)
    }
    expect(walRestarts(path)).toBe(restarts)
    await storage.close()
    // The last connection to close copies the WAL back and removes it.
    expect(existsSync(`${path}-wal`)).toBe(false)
  })

  it('checkpoints the ledger WAL once it has grown by walCheckpointBytes, so the WAL stays bounded', async () => {
    const path = join(dir, `db-${n++}`, 'ledger.db')
    const limit = 1024 * 1024
    const storage = openSqliteStorage({ path, walCheckpointBytes: limit })
    await storage.append(sealAll([said('v0')], 'v0'))
    await storage.query({ q: 'v0' }, { limit: 1 })
    const restarts = walRestarts(path)
    let largest = 0
    let batch = 0
    for (let i = 1; i <= 40; i++) {
      const before = statSync(`${path}-wal`).size
      await storage.append(
        sealAll(
          Array.from({ length: 20 }, () => said(`v${i}`)),
          `v${i}`,
        ),
      )
      batch = Math.max(batch, statSync(`${path}-wal`).size - before)
      await storage.query({ q: `v${i}` }, { limit: 1 })
      largest = Math.max(largest, statSync(`${path}-wal`).size)
    }
    expect(walRestarts(path)).toBeGreaterThan(restarts)
    // At most one threshold plus the batch that crossed it plus the batch that restarted it.
    expect(largest).toBeLessThanOrEqual(limit + 2 * Math.max(batch, limit / 4))
    await storage.close()
  })

  it('tries a checkpoint that a reader kept from finishing again once the reader lets go', async () => {
    const path = join(dir, `db-${n++}`, 'ledger.db')
    const limit = 256 * 1024
    const storage = openSqliteStorage({ path, walCheckpointBytes: limit })
    await storage.append(sealAll([said('u0')], 'u0'))
    await storage.query({ q: 'u0' }, { limit: 1 })
    // Another process reading: its snapshot keeps every frame appended after it in the WAL.
    const reader = new Database(path, { readonly: true })
    reader.exec('BEGIN')
    reader.prepare('SELECT count(*) FROM records').get()
    const size = () => statSync(path).size
    const walSize = () => statSync(`${path}-wal`).size
    const held = size()
    // Past the threshold twice over: the worker has tried, and the reader kept it from copying anything.
    for (let i = 1, grown = 0; grown < 2 * limit; i++) {
      const before = walSize()
      await storage.append(
        sealAll(
          Array.from({ length: 20 }, () => said(`u${i}`)),
          `u${i}`,
        ),
      )
      grown += walSize() >= before ? walSize() - before : walSize()
      await storage.query({ q: `u${i}` }, { limit: 1 })
    }
    expect(size()).toBe(held)
    reader.exec('COMMIT')
    reader.close()
    // No append follows: only the worker's retry can copy the frames back (well before its idle checkpoint).
    await vi.waitFor(() => expect(size()).toBeGreaterThan(held), { timeout: 5000, interval: 50 })
    await storage.close()
  })
})
