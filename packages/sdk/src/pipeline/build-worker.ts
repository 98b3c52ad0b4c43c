import { parentPort, workerData } from 'node:worker_threads'
import type { UnsealedRecord } from '../record/schema.js'
import type { RedactorOptions } from '../redact/redactor.js'
import type { SignalOptions } from '../signals/compute-signals.js'
import { signalsStage } from '../signals/signals-stage.js'
import {
  type BatchItem,
  type BodyBatch,
  type BuiltBatch,
  createBodyEncoder,
  createRecordBuilder,
} from './body-batch.js'
import type { NamedStage } from './stage.js'

/** One ledger's pipeline, as the worker rebuilds it. */
export interface BuildConfig {
  stream: string
  /** The `prompt_hash` key: handed over in memory, never logged or written. */
  hmacKey: Uint8Array
  signals: SignalOptions | false
  redact: RedactorOptions | false
  /**
   * `bodies`: canonical bodies, ready to link. `records`: the built records, for a ledger that runs a
   * last stage itself (encryption, whose keys stay on the ledger's thread).
   */
  output: 'bodies' | 'records'
}

export type ToBuildWorker =
  | { type: 'configure'; ledger: number; config: BuildConfig }
  | { type: 'release'; ledger: number }
  | { type: 'batch'; ledger: number; n: number; items: BatchItem[] }

export type FromBuildWorker =
  | { type: 'ready'; ledger: number }
  | { type: 'failed'; ledger: number; message: string }
  | ({ type: 'bodies'; ledger: number; n: number } & BodyBatch)
  | { type: 'records'; ledger: number; n: number; records: Array<UnsealedRecord | null> }

type Encoder = (items: readonly BatchItem[]) => BuiltBatch

async function encoderFor(config: BuildConfig): Promise<Encoder> {
  // The same stages, in the same order, as the ledger builds in-thread (see ledger.ts).
  const stages: NamedStage[] = []
  if (config.signals !== false) stages.push(signalsStage(config.signals))
  if (config.redact !== false) {
    // Loaded only when used: the recognizers' tables are most of this thread's start-up.
    const { redactStage } = await import('./redact-stage.js')
    stages.push(redactStage(config.redact))
  }
  const opts = {
    stream: config.stream,
    hmacKey: Buffer.from(config.hmacKey),
    redacted: config.redact !== false,
    stages,
  }
  if (config.output === 'bodies') return createBodyEncoder(opts)
  const build = createRecordBuilder(opts)
  return (items) => ({ records: build(items) })
}

/** The build thread shared by the process's ledgers: records and canonical bodies for the batches they hand over. */
function run(port: NonNullable<typeof parentPort>): void {
  const encoders = new Map<number, Encoder>()
  port.on('message', (msg: ToBuildWorker) => {
    if (msg.type === 'configure') {
      encoderFor(msg.config).then(
        (encoder) => {
          encoders.set(msg.ledger, encoder)
          port.postMessage({ type: 'ready', ledger: msg.ledger } satisfies FromBuildWorker)
        },
        (err: Error) => port.postMessage({ type: 'failed', ledger: msg.ledger, message: err.message }),
      )
    } else if (msg.type === 'release') {
      encoders.delete(msg.ledger)
    } else {
      const encoder = encoders.get(msg.ledger)
      // A batch for a released ledger cannot happen (it is released after its last batch); answer anyway.
      const batch: BuiltBatch = encoder ? encoder(msg.items) : { records: new Array(msg.items.length).fill(null) }
      if ('records' in batch) {
        // Structured clone keeps each record's key order, `enc: undefined` slot included (see body-batch.ts).
        port.postMessage({
          type: 'records',
          ledger: msg.ledger,
          n: msg.n,
          records: batch.records,
        } satisfies FromBuildWorker)
        return
      }
      const reply: FromBuildWorker = { type: 'bodies', ledger: msg.ledger, n: msg.n, ...batch }
      port.postMessage(reply, [batch.bytes.buffer as ArrayBuffer, batch.layout.buffer as ArrayBuffer])
    }
  })
}

if (parentPort && workerData === 'promptledger-build') run(parentPort)
