import type { UnsealedRecord } from '@promptledger/sdk'
import { z } from 'zod'
import type { NodeHandler } from '../api/proxy-mount.js'
import { ServerError } from '../errors.js'
import { createProxy, type ProxyHandler, type ProxyOptions } from './create-proxy.js'
import type { PrepareOptions } from './record-prepare.js'
import { openRecordThread } from './record-thread.js'

/**
 * Ingest calls per batch at most. Same-run A/Bs against whole batches (proxy bench, JSON): fixed slices of 8 or 16
 * cost 150–220 µs CPU per call more and raised the c=16 added p50 from 23–25 % to 33 % of Portkey's; at most 4
 * slices: c=1 added p99 14.3 vs 19.5 ms, c=16 18 % vs 20 %, c=64 17 % vs 13 % (one noisy run).
 */
const MAX_SLICES = 4

const upstreamUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })

/** The `proxy` section of the collector's configuration (flags `--openai-upstream`, `--anthropic-upstream`). */
export const proxyConfigSchema = z.strictObject({
  /** Default https://api.openai.com */
  openaiUpstream: upstreamUrl.optional(),
  /** Default https://api.anthropic.com */
  anthropicUpstream: upstreamUrl.optional(),
  /** Response bytes kept per call for the record; default 8 MiB. */
  maxCaptureBytes: z.number().int().positive().optional(),
  /** Smallest slice of proxied records handed to ingest in one call (see `CollectorProxyOptions.ingestSlice`). */
  ingestSlice: z.number().int().positive().optional(),
})
export type ProxyConfig = z.infer<typeof proxyConfigSchema>

/** The slice of the collector's `IngestService` the proxy needs. */
export interface IngestSink {
  ingest(batch: UnsealedRecord[]): Promise<unknown>
}

export interface CollectorProxyOptions {
  /** The app's ingest path, known once the app is built (the proxy is created before it). */
  ingest: () => IngestSink | undefined
  /**
   * Whether the ingest path redacts: records are then redacted in the record worker with the same policy, and
   * ingest's own pass finds nothing left to do. Default: not redacted here (ingest still redacts if it is set to).
   */
  prepare?: PrepareOptions
  /** Failures that are not the caller's: unreachable upstream, a batch the store refused, a full queue. */
  onError?: (err: ServerError) => void
  /** Calls waiting to be stored before new ones are dropped (and counted). Default 10,000. */
  maxPending?: number
  /** A batch goes to the store after this long or at `maxBatch` calls, whichever comes first. Default 50 ms / 512. */
  maxDelayMs?: number
  maxBatch?: number
  /**
   * Smallest slice of a batch handed to ingest in one call; a batch is cut into at most `MAX_SLICES` slices of at
   * least this many records, with a turn of the event loop between two. Default 8.
   */
  ingestSlice?: number
}

export interface CollectorProxy {
  proxy: ProxyHandler
  /** What `createApp({ proxy })` mounts. */
  handlers: { openai: NodeHandler; anthropic: NodeHandler; attach: ProxyHandler['attach'] }
  /** Calls dropped because the queue was full or no ingest path was attached. */
  readonly dropped: number
  /** Lets calls in flight end, closes the upstream pools, then records and stores every call answered. */
  close(): Promise<void>
}

/**
 * The proxy as the collector runs it. The serving thread only forwards bytes: each finished call goes, as raw
 * bytes, to a worker thread that builds its record and runs the ingest path's per-record stages on it (signals,
 * server-side redaction); the prepared records come back in batches and join the collector's ingest path, which
 * encrypts, seals and stores them like any ingested record, in the collector's one chain.
 *
 * @example
 * let ingest: IngestService | undefined
 * const cp = createCollectorProxy(config.proxy, { ingest: () => ingest, prepare: { redact: true } })
 * const app = await createApp({ storage, stream, proxy: cp.handlers })
 * ingest = app.ingest
 */
export function createCollectorProxy(config: ProxyConfig | undefined, opts: CollectorProxyOptions): CollectorProxy {
  const maxPending = opts.maxPending ?? 10_000
  let dropped = 0
  // Calls handed to the record worker or to ingest and not yet stored: they count against `maxPending`.
  let pending = 0
  let inFlight: Promise<void> = Promise.resolve()
  const report = (err: ServerError): void => opts.onError?.(err)

  async function ingestSlice(sink: IngestSink, slice: UnsealedRecord[]): Promise<void> {
    try {
      await sink.ingest(slice)
    } catch (cause) {
      dropped += slice.length
      report(new ServerError('STORAGE_ERROR', `proxy: ${slice.length} calls could not be stored`, { cause }))
    } finally {
      pending -= slice.length
    }
  }

  const minSlice = Math.max(1, opts.ingestSlice ?? config?.ingestSlice ?? 8)

  /**
   * Ingest runs on the serving thread, and one ingest call (encryption, sealing, a SQLite transaction) is one
   * synchronous stretch: whole, a 50 ms batch at c=1 (37 records) held the thread 6 ms at the median and 23 ms at
   * worst, and every call in flight waited for it. Cut into slices with a turn of the event loop between two, a call
   * waits at most for one slice. Each ingest call has a fixed cost (about 0.35 ms here: its SQLite transactions, the
   * search index's, the rollups), so slices are few: at most `MAX_SLICES` a batch, of at least `minSlice` records.
   * Slices keep the batch's order (the collector seals into one chain); each is its own transaction.
   */
  async function ingestBatch(sink: IngestSink, batch: UnsealedRecord[]): Promise<void> {
    const size = Math.max(minSlice, Math.ceil(batch.length / MAX_SLICES))
    for (let i = 0; i < batch.length; i += size) {
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve))
      await ingestSlice(sink, batch.slice(i, i + size))
    }
  }

  const onRecords = (batch: UnsealedRecord[]): void => {
    const sink = opts.ingest()
    if (!sink) {
      pending -= batch.length
      dropped += batch.length
      report(new ServerError('INTERNAL', `proxy: ${batch.length} calls dropped, no ingest path attached`))
      return
    }
    // One batch at a time, in order: the collector seals into a single chain.
    inFlight = inFlight.then(() => ingestBatch(sink, batch))
  }

  const thread = openRecordThread({
    prepare: opts.prepare ?? { redact: false },
    maxDelayMs: opts.maxDelayMs ?? 50,
    maxBatch: opts.maxBatch ?? 512,
    onRecords,
    onFailed(count, message) {
      pending -= count
      dropped += count
      report(new ServerError('INTERNAL', `proxy: ${count} calls could not be recorded: ${message}`))
    },
  })

  const onExchange: NonNullable<ProxyOptions['onExchange']> = (ex) => {
    if (pending >= maxPending) {
      dropped++
      if (dropped === 1 || dropped % 1000 === 0)
        report(new ServerError('INTERNAL', `proxy: queue full, ${dropped} calls dropped`))
      return
    }
    pending++
    thread.submit(ex)
  }

  const proxy = createProxy({
    upstreams: {
      ...(config?.openaiUpstream ? { openai: config.openaiUpstream } : {}),
      ...(config?.anthropicUpstream ? { anthropic: config.anthropicUpstream } : {}),
    },
    ...(config?.maxCaptureBytes ? { maxCaptureBytes: config.maxCaptureBytes } : {}),
    onExchange,
    onError: report,
    // The record worker counts tokens itself, on the first call that needs an estimate.
    preloadTokenizers: false,
  })
  return {
    proxy,
    handlers: { openai: proxy, anthropic: proxy, attach: proxy.attach },
    get dropped() {
      return dropped
    },
    async close() {
      // Calls still in flight end first (the pools close once they have); then every answered call is recorded:
      // the worker hands back what it holds, and ingest stores it.
      await proxy.close()
      await thread.close()
      await inFlight
    },
  }
}
