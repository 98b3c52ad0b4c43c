import { parentPort, workerData } from 'node:worker_threads'
import { type BatchKeys, batchEncryptStage } from '../crypto/batch-keys.js'
import type { RedactorOptions } from '../redact/redactor.js'
import type { SignalOptions } from '../signals/compute-signals.js'
import { signalsStage } from '../signals/signals-stage.js'
import { type BatchItem, type BodyBatch, createBodyEncoder, LAYOUT_WIDTH } from './body-batch.js'
import type { NamedStage } from './stage.js'

/** One ledger's pipeline, as the worker rebuilds it. */
export interface BuildConfig {
  stream: string
  /** The `prompt_hash` key: handed over in memory, never logged or written. */
  hmacKey: Uint8Array
  signals: SignalOptions | false
  redact: RedactorOptions | false
  /** Encryption's tenant (see `Encryptor#tenant`); each batch then comes with its data keys. */
  encrypt: { tenant: string } | false
}

export type ToBuildWorker =
  | { type: 'configure'; ledger: number; config: BuildConfig }
  | { type: 'release'; ledger: number }
  | {
      type: 'batch'
      ledger: number
      n: number
      items: BatchItem[]
      keys: BatchKeys | null
      /** Buffers of earlier batches the ledger has sealed, transferred back for the next ones. */
      spare: ArrayBuffer[]
    }

export type FromBuildWorker =
  | { type: 'ready'; ledger: number }
  | { type: 'failed'; ledger: number; message: string }
  | ({ type: 'bodies'; ledger: number; n: number } & BodyBatch)

interface Encoder {
  encode(items: readonly BatchItem[], keys: BatchKeys | null): BodyBatch
  recycle(buffer: ArrayBuffer): void
  /** Drops what the ledger's pipeline holds (its data keys are zeroed). */
  close(): void
}

const NO_KEYS: BatchKeys = { subjects: [], keyIds: [], keys: new Uint8Array(0) }
/** A ledger that sends no batch for this long leaves no data key in the worker. */
const KEYS_IDLE_MS = 1000

async function encoderFor(config: BuildConfig): Promise<Encoder> {
  // The same stages, in the same order, as the ledger builds in-thread (see ledger.ts).
  const stages: NamedStage[] = []
  if (config.signals !== false) stages.push(signalsStage(config.signals))
  if (config.redact !== false) {
    // Loaded only when used: the recognizers' tables are most of this thread's start-up.
    const { redactStage } = await import('./redact-stage.js')
    stages.push(redactStage(config.redact))
  }
  const encrypt = config.encrypt === false ? null : batchEncryptStage(config.encrypt.tenant)
  if (encrypt) stages.push(encrypt.stage)
  const bodies = createBodyEncoder({
    stream: config.stream,
    hmacKey: Buffer.from(config.hmacKey),
    redacted: config.redact !== false,
    stages,
  })
  const recycle = (buffer: ArrayBuffer): void => bodies.recycle(buffer)
  if (!encrypt) return { encode: (items) => bodies.encode(items), recycle, close() {} }
  // The keys a batch leaves for the next one (see batchEncryptStage) are zeroed once the batches stop.
  const idle = setTimeout(() => encrypt.drop(), KEYS_IDLE_MS).unref()
  return {
    encode(items, keys) {
      // A batch encrypts with its own keys only; without any, its records are built on the ledger's thread.
      encrypt.begin(keys ?? NO_KEYS)
      idle.refresh()
      return bodies.encode(items)
    },
    recycle,
    close() {
      clearTimeout(idle)
      encrypt.drop()
    },
  }
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
      encoders.get(msg.ledger)?.close()
      encoders.delete(msg.ledger)
    } else {
      const encoder = encoders.get(msg.ledger)
      // A batch for a released ledger cannot happen (it is released after its last batch); answer anyway.
      if (!encoder) msg.keys?.keys.fill(0)
      for (const buffer of msg.spare) encoder?.recycle(buffer)
      const batch = encoder
        ? encoder.encode(msg.items, msg.keys)
        : { bytes: new Uint8Array(0), layout: new Int32Array(msg.items.length * LAYOUT_WIDTH).fill(-1) }
      const reply: FromBuildWorker = { type: 'bodies', ledger: msg.ledger, n: msg.n, ...batch }
      port.postMessage(reply, [batch.bytes.buffer as ArrayBuffer, batch.layout.buffer as ArrayBuffer])
    }
  })
}

if (parentPort && workerData === 'promptledger-build') run(parentPort)
