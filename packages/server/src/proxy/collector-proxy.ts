import { type LogInput, toRecord, type UnsealedRecord, uuidv7 } from '@promptledger/sdk'
import { z } from 'zod'
import type { NodeHandler } from '../api/proxy-mount.js'
import { ServerError } from '../errors.js'
import { createProxy, type ProxyHandler } from './create-proxy.js'

const upstreamUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })

/** The `proxy` section of the collector's configuration (flags `--openai-upstream`, `--anthropic-upstream`). */
export const proxyConfigSchema = z.strictObject({
  /** Default https://api.openai.com */
  openaiUpstream: upstreamUrl.optional(),
  /** Default https://api.anthropic.com */
  anthropicUpstream: upstreamUrl.optional(),
  /** Response bytes kept per call for the record; default 8 MiB. */
  maxCaptureBytes: z.number().int().positive().optional(),
})
export type ProxyConfig = z.infer<typeof proxyConfigSchema>

/** The slice of the collector's `IngestService` the proxy needs. */
export interface IngestSink {
  ingest(batch: UnsealedRecord[]): Promise<unknown>
}

export interface CollectorProxyOptions {
  /** The app's ingest path, known once the app is built (the proxy is created before it). */
  ingest: () => IngestSink | undefined
  /** Failures that are not the caller's: unreachable upstream, a batch the store refused, a full queue. */
  onError?: (err: ServerError) => void
  /** Calls waiting to be stored before new ones are dropped (and counted). Default 10,000. */
  maxPending?: number
  /** A batch goes to the store after this long or at `maxBatch` calls, whichever comes first. Default 50 ms / 512. */
  maxDelayMs?: number
  maxBatch?: number
}

export interface CollectorProxy {
  proxy: ProxyHandler
  /** What `createApp({ proxy })` mounts. */
  handlers: { openai: NodeHandler; anthropic: NodeHandler }
  /** Calls dropped because the queue was full or no ingest path was attached. */
  readonly dropped: number
  /** Stores what is queued and closes the upstream pools. */
  close(): Promise<void>
}

/**
 * The proxy as the collector runs it: each call becomes an unsealed record and joins the collector's ingest path
 * in batches, where server-side redaction, encryption and sealing happen like for any ingested record.
 *
 * @example
 * let ingest: IngestService | undefined
 * const cp = createCollectorProxy(config.proxy, { ingest: () => ingest })
 * const app = await createApp({ storage, stream, proxy: cp.handlers })
 * ingest = app.ingest
 */
export function createCollectorProxy(config: ProxyConfig | undefined, opts: CollectorProxyOptions): CollectorProxy {
  const maxPending = opts.maxPending ?? 10_000
  const maxDelayMs = opts.maxDelayMs ?? 50
  const maxBatch = opts.maxBatch ?? 512
  let pending: UnsealedRecord[] = []
  let timer: NodeJS.Timeout | null = null
  let dropped = 0
  // Records handed to ingest and not yet stored: they count against `maxPending` too.
  let ingesting = 0
  let inFlight: Promise<void> = Promise.resolve()
  const report = (err: ServerError): void => opts.onError?.(err)

  async function ingestBatch(sink: IngestSink, batch: UnsealedRecord[]): Promise<void> {
    try {
      await sink.ingest(batch)
    } catch (cause) {
      dropped += batch.length
      report(new ServerError('STORAGE_ERROR', `proxy: ${batch.length} calls could not be stored`, { cause }))
    } finally {
      ingesting -= batch.length
    }
  }

  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer)
    timer = null
    if (pending.length === 0) return inFlight
    const batch = pending
    pending = []
    const sink = opts.ingest()
    if (!sink) {
      dropped += batch.length
      report(new ServerError('INTERNAL', `proxy: ${batch.length} calls dropped, no ingest path attached`))
      return inFlight
    }
    ingesting += batch.length
    // One batch at a time, in order: the collector seals into a single chain. Whole batches, not slices: each
    // ingest call costs a SQLite commit, and in slices small enough to keep a stall under a millisecond that
    // fixed cost cut the stored throughput by two thirds at concurrency 16 (measured with the proxy bench).
    inFlight = inFlight.then(() => ingestBatch(sink, batch))
    return inFlight
  }

  const onRecord = (input: LogInput): void => {
    if (pending.length + ingesting >= maxPending) {
      dropped++
      if (dropped === 1 || dropped % 1000 === 0)
        report(new ServerError('INTERNAL', `proxy: queue full, ${dropped} calls dropped`))
      return
    }
    // `redacted: false` until the server's redaction pass runs in ingest and says otherwise.
    pending.push(toRecord(input, { id: uuidv7(), loggedAt: Date.now(), hmacKey: null, redacted: false }))
    // Batched by time and size: the store commits (and syncs) once per batch, and a synchronous store would
    // otherwise stall the event loop, and every call in flight, once per call.
    if (pending.length >= maxBatch) void flush()
    else if (!timer) {
      timer = setTimeout(flush, maxDelayMs)
      timer.unref()
    }
  }

  const proxy = createProxy({
    upstreams: {
      ...(config?.openaiUpstream ? { openai: config.openaiUpstream } : {}),
      ...(config?.anthropicUpstream ? { anthropic: config.anthropicUpstream } : {}),
    },
    ...(config?.maxCaptureBytes ? { maxCaptureBytes: config.maxCaptureBytes } : {}),
    onRecord,
    onError: report,
    // Loaded on the first call that needs an estimate, so collectors (and their tests) that never proxy a stream
    // without usage never pay the second of CPU the rank tables cost.
    preloadTokenizers: false,
  })
  return {
    proxy,
    handlers: { openai: proxy, anthropic: proxy },
    get dropped() {
      return dropped
    },
    async close() {
      await flush()
      await proxy.close()
    },
  }
}
