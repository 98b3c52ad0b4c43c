import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { toRecord, type UnsealedRecord, uuidv7 } from '@promptledger/sdk'
import { afterEach, describe, expect, it } from 'vitest'
import { openSqliteStorage } from '../storage/sqlite/sqlite-storage.js'
import { IngestService } from './ingest-service.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const record = (i: number): UnsealedRecord =>
  toRecord(
    { prompt: `call ${i}`, response: 'ok', model: 'gpt-4o-mini' },
    { id: uuidv7(), loggedAt: Date.now(), hmacKey: null, redacted: true },
  )

describe('IngestService', () => {
  it('gives the event loop back between the records of a batch the proxy captured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-ingest-'))
    dirs.push(dir)
    const storage = openSqliteStorage({ path: join(dir, 'ledger.db') })
    // The encrypt hook stands for a record's preparation (about 40 µs in the collector): it is where each
    // record's work happens, and it counts the records prepared so far.
    let prepared = 0
    const ingest = new IngestService({
      storage,
      stream: 'collector-test',
      encrypt: () => {
        const until = performance.now() + 0.04
        while (performance.now() < until);
        prepared++
      },
    })
    const seenMidBatch: number[] = []
    let ticking = true
    const tick = () => {
      if (prepared > 0 && prepared < 32) seenMidBatch.push(prepared)
      if (ticking) setImmediate(tick)
    }
    setImmediate(tick)
    try {
      const written = await ingest.ingest(
        Array.from({ length: 32 }, (_, i) => record(i)),
        { serverRedacted: true },
      )
      ticking = false
      expect(written.accepted).toBe(32)
      // A call in flight waits for one record's preparation, not for the whole slice of the proxy's records.
      expect(seenMidBatch.length).toBeGreaterThan(4)
      const stored = await storage.query({}, { limit: 100 })
      expect(stored.records).toHaveLength(32)
    } finally {
      ticking = false
      await storage.close()
    }
  })
})
