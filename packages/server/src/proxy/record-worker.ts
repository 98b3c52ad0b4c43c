import fs from 'node:fs'
import os from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import type { UnsealedRecord } from '@promptledger/sdk'
import { BACKGROUND_NICE, lowerThreadPriority } from '../thread-priority.js'
import { type PackedExchange, unpackExchange } from './exchange.js'
import { createRecordPreparer, type PrepareOptions } from './record-prepare.js'

/** Messages the serving thread sends. */
export type ToRecordWorker =
  | { type: 'exchanges'; packed: PackedExchange[] }
  | { type: 'flush'; id: number }
  | { type: 'close' }

/** Messages the record worker sends back. */
export type FromRecordWorker =
  | { type: 'records'; records: UnsealedRecord[] }
  | { type: 'failed'; count: number; message: string }
  | { type: 'flushed'; id: number }

export interface RecordWorkerData {
  prepare: PrepareOptions
}

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
      const keep = (record: UnsealedRecord): void => {
        records.push(record)
      }
      for (const packed of msg.packed) {
        const ex = unpackExchange(packed)
        tail = tail.then(() => preparer.prepare(ex).then(keep, fail))
      }
      tail = tail.then(() => {
        if (records.length === 0) return
        const out: FromRecordWorker = { type: 'records', records }
        port.postMessage(out)
        if (!lowered) {
          lowered = true
          lowerThreadPriority(os, fs, BACKGROUND_NICE)
        }
      })
    } else if (msg.type === 'close') {
      // Nothing is left once the serving thread asks (it flushed first): let the thread end on its own.
      void tail.then(() => port.close())
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
