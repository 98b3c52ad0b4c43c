import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Chain, DataKeyStore, Encryptor, genesis, LocalKeyringProvider } from '@promptledger/sdk'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { sealAll, unsealed } from '../../test-support/records.js'
import { SEARCH_TEXT } from '../record-columns.js'
import { runStorageCases } from '../storage.case.js'
import { ROWS_PER_INSERT } from './sqlite-append.js'
import { openSqliteStorage } from './sqlite-storage.js'

const dir = mkdtempSync(join(tmpdir(), 'pl-'))
let n = 0
afterAll(() => rmSync(dir, { recursive: true, force: true }))

runStorageCases('sqlite', {
  create: async () => openSqliteStorage({ path: join(dir, `db-${n++}`, 'ledger.db') }),
  pair: async () => {
    const path = join(dir, `db-${n++}`, 'ledger.db')
    return [openSqliteStorage({ path }), openSqliteStorage({ path })]
  },
})

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

  it('indexes no plaintext of a record whose data key was erased, not even plaintext that came with it', async () => {
    const keyDir = mkdtempSync(join(tmpdir(), 'pl-keys-'))
    const keys = DataKeyStore.open({ dir: keyDir, provider: LocalKeyringProvider.open({ dir: keyDir }) })
    const encryptor = new Encryptor({ keys, keepPlaintextForIndex: true })
    const storage = openSqliteStorage({
      path: join(dir, `db-${n++}`, 'ledger.db'),
      plaintextView: encryptor.searchView,
      isErasedKey: (keyId) => keys.isErased(keyId),
    })
    const said = (user: string, word: string) =>
      encryptor.encryptRecord(unsealed({ user_id: user, response: { model: 'gpt-4o', output: `${word} said` } }))
    // Encrypted before the erasure, stored after it: one with the text a record worker makes, one with the
    // plaintext the encryptor kept.
    const made = said('ann', 'capybaraflute')
    ;(made as { [SEARCH_TEXT]?: string })[SEARCH_TEXT] = 'capybaraflute said'
    const kept = said('ann', 'narwhalbanjo')
    const other = said('ben', 'ibisviolin')
    keys.destroy('user:ann')
    // Sealed in place: a copy would lose what came with the records.
    const chain = new Chain(genesis('erased-keys'))
    await storage.append([made, kept, other].map((r) => chain.seal(r)))
    for (const word of ['capybaraflute', 'narwhalbanjo']) {
      expect((await storage.query({ q: word }, { limit: 10 })).records).toEqual([])
    }
    expect((await storage.query({ q: 'ibisviolin' }, { limit: 10 })).records).toHaveLength(1)
    await storage.close()
    rmSync(keyDir, { recursive: true, force: true })
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

  it('stores every body and tag of a batch written several rows a statement, and nothing of a failed one', async () => {
    const storage = openSqliteStorage({ path: join(dir, `db-${n++}`, 'ledger.db') })
    const tagsOf = (i: number) => ['t-a', 't-b'].slice(0, i % 3)
    const said = (i: number, word: string) =>
      unsealed({ tags: tagsOf(i), request: { model: 'm', messages: [{ role: 'user', content: `${word} ${i}` }] } })
    // Two full statements and a remainder, with a repeated id among them.
    const batch = sealAll(
      Array.from({ length: 2 * ROWS_PER_INSERT + 5 }, (_, i) => said(i, 'first')),
      's',
    )
    expect(await storage.append([...batch, batch[3]!])).toEqual({ inserted: batch.length, duplicates: 1 })
    for (const record of batch) expect(await storage.get(record.id)).toEqual(record)
    const tagged = batch.filter((_, i) => tagsOf(i).includes('t-b')).map((r) => r.id)
    expect((await storage.query({ tag: 't-b' }, { limit: 1000 })).records.map((r) => r.id).sort()).toEqual(
      tagged.sort(),
    )

    // A body that fails after one full statement is written and with rows still waiting for the next.
    const other = new Database(storage.path)
    other.exec(`CREATE TRIGGER poison BEFORE INSERT ON record_body WHEN NEW.json LIKE '%poisonpill%'
      BEGIN SELECT RAISE(ABORT, 'poisoned'); END`)
    const failing = Array.from({ length: ROWS_PER_INSERT + 7 }, (_, i) =>
      said(i, i === ROWS_PER_INSERT + 3 ? 'poisonpill' : 'second'),
    )
    const sealedFailing = sealAll(failing, 't')
    await expect(storage.append(sealedFailing)).rejects.toMatchObject({ code: 'STORAGE_ERROR' })
    expect(await storage.existingIds(sealedFailing.map((r) => r.id))).toEqual(new Set())
    other.exec('DROP TRIGGER poison')
    other.close()

    // The next batch stores its own rows only: nothing the failed one left pending.
    const next = sealAll([said(1, 'third'), said(2, 'third')], 'u')
    expect(await storage.append(next)).toEqual({ inserted: 2, duplicates: 0 })
    for (const record of next) expect(await storage.get(record.id)).toEqual(record)
    const raw = new Database(storage.path, { readonly: true })
    expect(raw.prepare('SELECT count(*) FROM record_body').pluck().get()).toBe(batch.length + 2)
    expect(raw.prepare('SELECT count(*) FROM record_tags').pluck().get()).toBe(
      batch.reduce((k, _, i) => k + tagsOf(i).length, 0) + 1 + 2,
    )
    raw.close()
    await storage.close()
  })

  it('skips stored and repeated ids among many rows in time order, keeping every body in place', async () => {
    const storage = openSqliteStorage({ path: join(dir, `db-${n++}`, 'ledger.db') })
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString()
    // Newer than everything stored, one millisecond slot each: bodies go ROWS_PER_INSERT to a statement.
    const records = Array.from({ length: 3 * ROWS_PER_INSERT }, (_, i) => unsealed({ ts: at(i * 10) }))
    // Among the second statement's bodies' rows: an id stored before (by an older record), and an id repeated from
    // earlier in the batch (by a record whose time still keeps the rows in order).
    const [older] = sealAll([unsealed({ id: records[40]!.id, ts: at(-1000) })], 'older')
    await storage.append([older!])
    const repeat = unsealed({ id: records[35]!.id, ts: at(505) })
    const batch = sealAll([...records.slice(0, 51), repeat, ...records.slice(51)], 's')
    expect(await storage.append(batch)).toEqual({ inserted: records.length - 1, duplicates: 2 })
    expect(await storage.get(records[40]!.id)).toEqual(older)
    const page = await storage.query({}, { limit: 1000 })
    const expected = [older!, ...batch.filter((r) => r.id !== records[40]!.id && r !== batch[51])]
    expect(page.records).toEqual(expected.reverse())
    // The seq after the skipped records is stored too: the head is the batch's last record.
    expect(await storage.head('s')).toEqual({ stream: 's', seq: batch.length - 1, hash: batch.at(-1)!.hash })
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
