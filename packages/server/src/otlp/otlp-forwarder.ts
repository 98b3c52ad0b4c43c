import { createOtlpExporter, type Exporter, type LedgerRecord, withRetry } from '@promptledger/sdk'
import { z } from 'zod'

/**
 * The `otlp` config section: every record the collector stores also goes, as an OpenTelemetry GenAI span, to an
 * OTLP/HTTP endpoint (an OpenTelemetry Collector, Jaeger, Tempo, an observability vendor). Off unless configured.
 */
export const otlpConfigSchema = z.strictObject({
  /** OTLP/HTTP base URL, e.g. `http://otel-collector:4318` (spans go to `/v1/traces`). */
  endpoint: z.string().url(),
  /** Sent with every request (a vendor's API key); never logged. */
  headers: z.record(z.string(), z.string()).default({}),
  /** Export prompts and outputs too (never for encrypted records, whose content the store holds as ciphertext). */
  content: z.boolean().default(false),
  /** The resource's `service.name`. */
  serviceName: z.string().min(1).default('promptledger'),
  /** Records held while the endpoint is slow or down; past it the oldest are dropped and counted. */
  maxQueued: z.number().int().positive().default(10_000),
})

export type OtlpConfig = z.infer<typeof otlpConfigSchema>

/** Records per OTLP request. */
const BATCH = 512
/** How often what has queued up is sent, at the latest. */
const FLUSH_MS = 1000
/** How long a closing collector keeps sending what is queued. */
const CLOSE_MS = 5000

export interface OtlpForwarder {
  /** Hands the records of a stored batch over; returns at once (they are sent in the background). */
  push(records: readonly LedgerRecord[]): void
  /** Records sent, and dropped (a full queue, or a batch the endpoint refused for good). */
  readonly stats: { sent: number; dropped: number }
  /** Sends what is queued (one try each), then stops. */
  close(): Promise<void>
}

/**
 * Forwards stored records to an OTLP endpoint, in batches off the request path: a slow or absent endpoint never
 * holds ingest, and costs at most `maxQueued` records of memory; retryable failures are tried again with backoff.
 *
 * @example
 * const otlp = startOtlpForwarder({ endpoint: 'http://127.0.0.1:4318' }, (err) => log.warn({ err }, err.message))
 * app.ingest.on('records', (batch) => otlp.push(batch))
 */
export function startOtlpForwarder(
  config: z.input<typeof otlpConfigSchema>,
  onError: (err: Error) => void,
  exporter: Exporter = withRetry(createOtlpExporter(otlpConfigSchema.parse(config)), { maxAttempts: 3 }),
): OtlpForwarder {
  const { maxQueued } = otlpConfigSchema.parse(config)
  const queue: LedgerRecord[] = []
  const stats = { sent: 0, dropped: 0 }
  let sending: Promise<void> | null = null
  let closed = false

  const send = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue.splice(0, BATCH)
      const result = await exporter.export(batch)
      if (result.ok) stats.sent += batch.length
      else {
        stats.dropped += batch.length
        onError(new Error(`otlp: ${batch.length} records not exported: ${result.error.message}`))
      }
    }
  }
  const flush = (): Promise<void> => {
    sending ??= send().finally(() => {
      sending = null
    })
    return sending
  }
  const timer = setInterval(() => void flush(), FLUSH_MS)
  timer.unref()

  return {
    stats,
    push(records) {
      if (closed) return
      queue.push(...records)
      const over = queue.length - maxQueued
      if (over > 0) {
        queue.splice(0, over)
        stats.dropped += over
      }
      if (queue.length >= BATCH) void flush()
    },
    async close() {
      closed = true
      clearInterval(timer)
      // What is queued gets its chance, bounded: an endpoint that is down must not hold the collector's shutdown.
      let timeout: NodeJS.Timeout | undefined
      await Promise.race([
        (async () => {
          await sending
          await flush()
        })(),
        new Promise((resolve) => {
          timeout = setTimeout(resolve, CLOSE_MS)
        }),
      ])
      clearTimeout(timeout)
      await exporter.shutdown()
      stats.dropped += queue.length
      queue.length = 0
    },
  }
}
