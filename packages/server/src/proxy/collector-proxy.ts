import type { UnsealedRecord } from '@promptledger/sdk'
import { z } from 'zod'
import type { NodeHandler } from '../api/proxy-mount.js'
import { ServerError } from '../errors.js'
import { createProxy, type ProxyHandler, type ProxyOptions } from './create-proxy.js'
import type { PrepareOptions } from './record-prepare.js'
import { openRecordThread } from './record-thread.js'

/**
 * How long a proxied call's record waits for others before they go to ingest together, in one call. Ingest runs on
 * the serving thread and each call of it holds the thread for one stretch (ingest yields every 100 records), with a
 * fixed part of about 1 ms whatever its size (the SQLite transaction and rollups, the search index's hand-off, the
 * WAL restart's fsync) plus about 0.1 ms a record. At c=1 a stretch delays the one call in flight however long it
 * is, so the c=1 p99 depends on how many stretches there are per call, not on their length. Same-run A/Bs (proxy
 * bench, JSON): batches every 50 ms cut into up to 4 slices gave c=1 added p99 6.2 and 7.6 ms; whole batches every
 * 250 ms (1000 ms in the second run) gave 0.7 and 3.4 ms, with the same c=16/c=64 p50; whole batches every 50 ms
 * against 250 ms, 5.4 against 2.7 ms. The calls that do meet a stretch wait longer (tens of ms), and a record reaches
 * the store up to this much later.
 */
const DEFAULT_INGEST_DELAY_MS = 250

const upstreamUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })

/** The `proxy` section of the collector's configuration (flags `--openai-upstream`, `--anthropic-upstream`). */
export const proxyConfigSchema = z.strictObject({
  /** Default https://api.openai.com */
  openaiUpstream: upstreamUrl.optional(),
  /** Default https://api.anthropic.com */
  anthropicUpstream: upstreamUrl.optional(),
  /** Response bytes kept per call for the record; default 8 MiB. */
  maxCaptureBytes: z.number().int().positive().optional(),
  /** How long a proxied call's record waits to be stored with others, in ms; default 250 (see `maxDelayMs`). */
  ingestDelayMs: z.number().int().positive().optional(),
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
  /**
   * A batch goes to the store, in one ingest call, after this long or at `maxBatch` calls, whichever comes first.
   * Default `proxy.ingestDelayMs` or 250 ms, and 512.
   */
  maxDelayMs?: number
  maxBatch?: number
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

  /** One ingest call per batch (see `DEFAULT_INGEST_DELAY_MS`); ingest itself yields every 100 records. */
  async function ingestBatch(sink: IngestSink, batch: UnsealedRecord[]): Promise<void> {
    try {
      await sink.ingest(batch)
    } catch (cause) {
      dropped += batch.length
      report(new ServerError('STORAGE_ERROR', `proxy: ${batch.length} calls could not be stored`, { cause }))
    } finally {
      pending -= batch.length
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
    maxDelayMs: opts.maxDelayMs ?? config?.ingestDelayMs ?? DEFAULT_INGEST_DELAY_MS,
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
