import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { toRecord, uuidv7 } from '@promptledger/sdk'
import { describe, expect, it } from 'vitest'
import { IngestService } from './ingest/ingest-service.js'
import { openSqliteStorage } from './storage/sqlite/sqlite-storage.js'
import { BACKGROUND_NICE, lowerThreadPriority } from './thread-priority.js'

/** The nice value of thread `tid` of this process, from /proc (field 19 of its stat line). */
const niceOf = (tid: number | string): number => {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
}

describe.runIf(process.platform === 'linux')('lowerThreadPriority', () => {
  it('lowers the calling worker thread only, from source text as the search worker runs it', async () => {
    const source = `const { parentPort } = require('node:worker_threads');
(${lowerThreadPriority.toString()})(require('node:os'), require('node:fs'), 10);
parentPort.postMessage(Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop()));
setTimeout(() => {}, 60_000);`
    const before = niceOf(process.pid)
    const worker = new Worker(source, { eval: true })
    const tid = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
    try {
      // Lowered to 10, or left where it was if the process already runs lower.
      expect(niceOf(tid)).toBe(Math.max(10, before))
      // The process (its main thread) keeps its priority.
      expect(niceOf(process.pid)).toBe(before)
    } finally {
      await worker.terminate()
    }
  })

  it('does not throw where the priority cannot be changed', () => {
    const denied = {
      setPriority() {
        throw Object.assign(new Error('EACCES'), { code: 'EACCES' })
      },
    }
    expect(() => lowerThreadPriority(denied, { readlinkSync: () => '1/task/2' }, 10)).not.toThrow()
    expect(() =>
      lowerThreadPriority(
        denied,
        {
          readlinkSync: () => {
            throw new Error('ENOENT')
          },
        },
        10,
      ),
    ).not.toThrow()
  })

  it("runs a file store's writer and search threads at the background priority, not the serving thread", async () => {
    const lowered = () => readdirSync('/proc/self/task').filter((tid) => niceOf(tid) === BACKGROUND_NICE).length
    const before = lowered()
    const dir = mkdtempSync(join(tmpdir(), 'pl-'))
    const storage = openSqliteStorage({ path: join(dir, 'ledger.db') })
    try {
      const ingest = new IngestService({ storage, stream: 'collector-test' })
      const record = toRecord(
        { prompt: 'hello', response: 'hi', model: 'gpt-4o-mini' },
        {
          id: uuidv7(),
          loggedAt: Date.now(),
          hmacKey: null,
          redacted: false,
        },
      )
      await ingest.ingest([record])
      // A query with `q` waits for the search worker, so both threads have started.
      const found = await storage.query({ q: 'hello' }, { limit: 10 })
      expect(found.records).toHaveLength(1)
      expect(lowered() - before).toBe(2)
      expect(niceOf(process.pid)).not.toBe(BACKGROUND_NICE)
    } finally {
      await storage.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
