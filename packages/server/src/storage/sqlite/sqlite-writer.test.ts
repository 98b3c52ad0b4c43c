import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ChainVerifier, type UnsealedRecord } from '@promptledger/sdk'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { ServerError } from '../../errors.js'
import { IngestBusyError, IngestService } from '../../ingest/ingest-service.js'
import { decodeBatch, validateBatch } from '../../ingest/parse-batch.js'
import { SealEncoder } from '../../ingest/seal-encoder.js'
import { unsealed } from '../../test-support/records.js'
import { postRecords, testApp } from '../../test-support/test-app.js'
import type { Storage } from '../storage.js'
import { openSqliteStorage } from './sqlite-storage.js'

const dir = mkdtempSync(join(tmpdir(), 'pl-writer-'))
let n = 0
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Records as the route hands them to ingest: through JSON and the validator. */
function batchOf(records: UnsealedRecord[]): UnsealedRecord[] {
  return validateBatch(decodeBatch(Buffer.from(JSON.stringify(records)), false))
}

async function verified(storage: Storage, stream: string): Promise<{ ok: boolean; count: number }> {
  const v = new ChainVerifier(stream)
  for await (const r of storage.scanStream(stream)) v.check(r)
  return v.result()
}

const count = (path: string): number => {
  const db = new Database(path, { readonly: true })
  try {
    return db.prepare('SELECT count(*) FROM records').pluck().get() as number
  } finally {
    db.close()
  }
}

describe('the writer thread', () => {
  it('is what a file store ingests through; a batch that fails mid-way stores nothing and keeps the head', async () => {
    const path = join(dir, `db-${n++}`, 'ledger.db')
    const storage = openSqliteStorage({ path })
    expect(storage.chainWriter('c')).not.toBeNull()
    const ingest = new IngestService({ storage, stream: 'c' })
    const first = await ingest.ingest(batchOf([unsealed(), unsealed(), unsealed()]))
    expect(first).toMatchObject({ accepted: 3, firstSeq: 0, lastSeq: 2 })
    const head = await storage.head('c')

    // A real SQLite failure on the second record's body, from another connection (as a full disk would fail it).
    const other = new Database(path)
    other.exec(`CREATE TRIGGER poison BEFORE INSERT ON record_body WHEN NEW.json LIKE '%poisonpill%'
      BEGIN SELECT RAISE(ABORT, 'poisoned'); END`)
    const poisoned = unsealed({ request: { model: 'm', messages: [{ role: 'user', content: 'a poisonpill' }] } })
    const second = [unsealed(), poisoned, unsealed()]
    const failed = await ingest.ingest(batchOf(second)).catch((err: unknown) => err)
    expect(failed).toBeInstanceOf(ServerError)
    expect((failed as ServerError).code).toBe('STORAGE_ERROR')
    expect(await storage.head('c')).toEqual(head)
    expect(await storage.existingIds(second.map((r) => r.id))).toEqual(new Set())
    expect(count(path)).toBe(3)

    other.exec('DROP TRIGGER poison')
    other.close()
    // The same batch again: sealed right after the head the failure left, no seq skipped.
    expect(await ingest.ingest(batchOf(second))).toMatchObject({ accepted: 3, firstSeq: 3, lastSeq: 5 })
    expect(await verified(storage, 'c')).toMatchObject({ ok: true, count: 6 })
    // Acknowledged means searchable.
    const found = await storage.query({ q: 'poisonpill' }, { limit: 10 })
    expect(found.records.map((r) => r.id)).toEqual([poisoned.id])
    await storage.close()
  })

  it('commits deferred batches together, each sealed and answered on its own; a failing one fails alone', async () => {
    const path = join(dir, `db-${n++}`, 'ledger.db')
    const storage = openSqliteStorage({ path })
    const ingest = new IngestService({ storage, stream: 'c' })
    await ingest.ingest(batchOf([unsealed()])) // the thread started, the head at 0
    const other = new Database(path)
    other.exec(`CREATE TRIGGER poison BEFORE INSERT ON record_body WHEN NEW.json LIKE '%poisonpill%'
      BEGIN SELECT RAISE(ABORT, 'poisoned'); END`)
    const poisoned = unsealed({ request: { model: 'm', messages: [{ role: 'user', content: 'a poisonpill' }] } })
    const batches = [[unsealed(), unsealed()], [unsealed(), poisoned], [unsealed()], [unsealed(), unsealed()]]
    // Handed over together, as the proxy's slices are: they wait for one another and share a transaction, which
    // the poisoned batch fails; each is then written alone.
    const results = await Promise.allSettled(batches.map((b) => ingest.ingest(batchOf(b), { defer: true })))
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    expect(((results[1] as PromiseRejectedResult).reason as ServerError).code).toBe('STORAGE_ERROR')
    const ok = results.filter((r) => r.status === 'fulfilled').map((r) => r.value)
    expect(ok.map((r) => [r.firstSeq, r.lastSeq])).toEqual([
      [1, 2],
      [3, 3],
      [4, 5],
    ])
    expect(await storage.existingIds(batches[1]!.map((r) => r.id))).toEqual(new Set())
    other.close()
    // A batch a client waits for is not held back by deferred ones: it commits them with it.
    const deferred = ingest.ingest(batchOf([unsealed()]), { defer: true })
    const waited = ingest.ingest(batchOf([unsealed()]))
    expect(await Promise.all([deferred, waited])).toMatchObject([
      { accepted: 1, firstSeq: 6 },
      { accepted: 1, firstSeq: 7 },
    ])
    expect(await verified(storage, 'c')).toMatchObject({ ok: true, count: 8 })
    expect(count(path)).toBe(8)
    await storage.close()
  })

  it('has an erasure wait for the batches the writer holds, so their text is purged with the rest', async () => {
    const storage = openSqliteStorage({ path: join(dir, `db-${n++}`, 'ledger.db') })
    const writer = storage.chainWriter('c')!
    const encoder = new SealEncoder('c')
    const mine = unsealed({
      user_id: 'erase-me',
      request: { model: 'm', messages: [{ role: 'user', content: 'my zebracorn password' }] },
    })
    const records = batchOf([mine, unsealed()])
    const encoded = encoder.batch(records.length)
    for (let i = 0; i < records.length; i++) encoder.encode(records[i]!, encoded, i)
    // Held by the writer thread for others to join (the proxy's batches are); the erasure comes meanwhile.
    const written = writer.write(records, encoded, { defer: true })
    expect(await storage.eraseSubject('erase-me')).toBe(1)
    expect(await written).toMatchObject({ inserted: 2 })
    expect((await storage.query({ q: 'zebracorn' }, { limit: 10 })).records).toEqual([])
    await storage.close()
  })

  it('dedupes within and across batches before sealing, and emits what it stored', async () => {
    const storage = openSqliteStorage({ path: join(dir, `db-${n++}`, 'ledger.db') })
    const ingest = new IngestService({ storage, stream: 'c' })
    const emitted: string[] = []
    ingest.on('records', (records) => emitted.push(...records.map((r) => `${r.seq}:${r.id}`)))
    const [a, b, c] = [unsealed(), unsealed(), unsealed()]
    // Three batches in flight at once: sealed in arrival order.
    const results = await Promise.all([
      ingest.ingest(batchOf([a!, a!])),
      ingest.ingest(batchOf([a!, b!])),
      ingest.ingest(batchOf([c!, b!])),
    ])
    expect(results).toEqual([
      { accepted: 1, duplicates: 1, firstSeq: 0, lastSeq: 0 },
      { accepted: 1, duplicates: 1, firstSeq: 1, lastSeq: 1 },
      { accepted: 1, duplicates: 1, firstSeq: 2, lastSeq: 2 },
    ])
    expect(emitted).toEqual([`0:${a!.id}`, `1:${b!.id}`, `2:${c!.id}`])
    expect(await storage.get(b!.id)).toMatchObject({ stream: 'c', seq: 1 })
    expect(await verified(storage, 'c')).toMatchObject({ ok: true, count: 3 })
    await storage.close()
  })

  it('a thread that stops fails the batch it held, is reported, and the next batch continues the chain', async () => {
    const errors: Error[] = []
    const path = join(dir, `db-${n++}`, 'ledger.db')
    const storage = openSqliteStorage({ path, onError: (err) => errors.push(err) })
    const writer = storage.chainWriter('c')!
    const encoder = new SealEncoder('c')
    const write = (records: UnsealedRecord[]) => {
      const encoded = encoder.batch(records.length)
      for (let i = 0; i < records.length; i++) encoder.encode(records[i]!, encoded, i)
      return writer.write(records, encoded)
    }
    expect(await write(batchOf([unsealed()]))).toMatchObject({ inserted: 1 })
    // Posted, then the thread is stopped while it stores the batch.
    const held = write(batchOf(Array.from({ length: 3000 }, () => unsealed()))).catch((err: unknown) => err)
    await writer.terminate()
    const lost = await held
    expect(lost).toBeInstanceOf(ServerError)
    expect((lost as ServerError).code).toBe('STORAGE_ERROR')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toMatch(/writer thread/)
    // All or nothing: the transaction did not commit.
    expect(count(path)).toBe(1)
    // A new thread, which reads the head from the store.
    const next = await write(batchOf([unsealed(), unsealed()]))
    expect(next.sealed.map((r) => r.seq)).toEqual([1, 2])
    expect(await verified(storage, 'c')).toMatchObject({ ok: true, count: 3 })
    await storage.close()
  })
})

describe('ingest backpressure', () => {
  it('turns batches away with 503 and Retry-After while too many records wait to be stored', async () => {
    const t = await testApp({ maxPendingRecords: 5 })
    try {
      const pending = t.app.ingest.ingest(batchOf(Array.from({ length: 5 }, () => unsealed())))
      expect(() => t.app.ingest.admit(1)).toThrow(IngestBusyError)
      const res = await postRecords(t.app, [unsealed()])
      expect(res.statusCode).toBe(503)
      expect(res.headers['retry-after']).toBe('1')
      await pending
      expect(t.app.ingest.pendingRecords).toBe(0)
      expect((await postRecords(t.app, [unsealed()])).statusCode).toBe(200)
      // One batch larger than the bound is still taken when nothing waits.
      const large = await postRecords(
        t.app,
        Array.from({ length: 8 }, () => unsealed()),
      )
      expect(large.statusCode).toBe(200)
    } finally {
      await t.close()
    }
  })
})
