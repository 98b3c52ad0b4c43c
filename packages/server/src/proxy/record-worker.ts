import fs from 'node:fs'
import os from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import { type BatchKeys, batchEncryptStage, type LedgerRecord, type UnsealedRecord } from '@promptledger/sdk'
import { searchText } from '../storage/record-columns.js'
import { BACKGROUND_NICE, lowerThreadPriority } from '../thread-priority.js'
import { type PackedExchange, unpackExchange } from './exchange.js'
import { createRecordPreparer, type PrepareOptions } from './record-prepare.js'

/** Messages the serving thread sends. */
export type ToRecordWorker =
  /** `keys`: the data keys of the group's users, when the collector encrypts at rest (see `RecordThreadOptions.keysFor`). */
  { type: 'exchanges'; packed: PackedExchange[]; keys?: BatchKeys } | { type: 'flush'; id: number } | { type: 'close' }

/** Messages the record worker sends back. */
export type FromRecordWorker =
  /** `texts[i]`: the full-text document of `records[i]`, made from its plaintext before it was encrypted. */
  | { type: 'records'; records: UnsealedRecord[]; texts: string[] }
  | { type: 'failed'; count: number; message: string }
  | { type: 'flushed'; id: number }

export interface RecordWorkerData {
  prepare: PrepareOptions
  /** Names the tenant key for calls without a user (the encryptor's `tenant`). */
  tenant?: string
}

/** A worker that gets no group for this long zeroes the data keys it holds. */
const KEY_IDLE_MS = 1000

/**
 * The proxy's record thread: turns finished exchanges into prepared records (parsing, token counts, signals,
 * redaction) and posts each group's records back as soon as they are ready, so that none of it runs on the thread
 * that serves calls. The records are not held here until they go to the store (the serving side batches them):
 * held, they survived this thread's scavenges, each of which then copied a quarter-second of records with the GC's
 * helper threads, which do not share this thread's low priority; and the serving thread had to take them in one
 * stretch (about 6 µs a record to deserialize, so 2–5 ms for a batch of 400).
 */
function run(port: NonNullable<typeof parentPort>, data: RecordWorkerData): void {
  const preparer = createRecordPreparer(data.prepare)
  // With encryption at rest, records leave this thread encrypted under the keys that came with their group (as the
  // SDK's build worker does): the serving thread then neither encrypts them nor, to index them, decrypts them.
  const encrypt = batchEncryptStage(data.tenant ?? 'default')
  // One timer at most: a group that ends while another is queued re-arms it, so no earlier timer fires mid-group.
  let idle: NodeJS.Timeout | null = null
  const disarmDrop = (): void => {
    if (idle) clearTimeout(idle)
    idle = null
  }
  const armDrop = (): void => {
    disarmDrop()
    idle = setTimeout(() => encrypt.drop(), KEY_IDLE_MS)
    idle.unref()
  }
  // Records keep the order the calls finished in: each one waits for the previous (token counts are async).
  let tail: Promise<void> = Promise.resolve()
  // The first group runs at the process's priority: it pays for the redactor's tables and the first compilations,
  // work that at nice 10 on a saturated machine would wait behind everything else. Every group after it runs in the
  // gaps the serving thread leaves.
  let lowered = false

  function fail(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err)
    const msg: FromRecordWorker = { type: 'failed', count: 1, message }
    port.postMessage(msg)
  }

  port.on('message', (msg: ToRecordWorker) => {
    if (msg.type === 'exchanges') {
      const records: UnsealedRecord[] = []
      const texts: string[] = []
      const { keys } = msg
      const keep = (record: UnsealedRecord): void => {
        // A call its user's erasure captured (it was in flight then) is sealed as erased: its text is indexed by none.
        texts.push(keys && encrypt.sealsErased(record) ? '' : searchText(record as LedgerRecord))
        if (keys) {
          try {
            record = encrypt.stage.run(record) as UnsealedRecord
          } catch {
            // No key came for its user (an id the record refuses): ingest encrypts it on the serving thread.
          }
        }
        records.push(record)
      }
      if (keys) {
        disarmDrop()
        tail = tail.then(() => encrypt.begin(keys))
      }
      for (const packed of msg.packed) {
        const ex = unpackExchange(packed)
        tail = tail.then(() => preparer.prepare(ex).then(keep, fail))
      }
      tail = tail.then(() => {
        if (keys) armDrop()
        if (records.length === 0) return
        const out: FromRecordWorker = { type: 'records', records, texts }
        port.postMessage(out)
        if (!lowered) {
          lowered = true
          lowerThreadPriority(os, fs, BACKGROUND_NICE)
        }
      })
    } else if (msg.type === 'close') {
      // Nothing is left once the serving thread asks (it flushed first): let the thread end on its own.
      void tail.then(() => {
        encrypt.drop()
        port.close()
      })
    } else {
      tail = tail.then(() => {
        const done: FromRecordWorker = { type: 'flushed', id: msg.id }
        port.postMessage(done)
      })
    }
  })
}

// The thread lowers its priority after its first group (see `run`). Same-run A/B in the proxy bench at c=1 (record
// worker at nice 10 against 0): added p50 0.84 vs 1.13 ms and p99 9.7 vs 22.7 ms, with the backlog at the end of the
// run about 0.1 s of calls. Under sustained overload the backlog grows until the collector's bound on pending calls
// drops (and counts) the excess.
if (parentPort) run(parentPort, workerData as RecordWorkerData)
