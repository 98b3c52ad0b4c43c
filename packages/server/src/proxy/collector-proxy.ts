import type { UnsealedRecord } from '@promptledger/sdk'
import { z } from 'zod'
import type { NodeHandler } from '../api/proxy-mount.js'
import { ServerError } from '../errors.js'
import { createProxy, DEFAULT_UPSTREAMS, type ProxyHandler, type ProxyOptions } from './create-proxy.js'
import type { PrepareOptions } from './record-prepare.js'
import { openRecordThread, type RecordThreadOptions } from './record-thread.js'

/**
 * How long a proxied call's record waits for others before they go to ingest (the batch window). Ingest prepares
 * each record on the serving thread (encryption and encoding; the server's redaction pass ran in the record worker), and at c=1 a stretch of that work delays the one call in flight by as long as it lasts. So a
 * window's records go in slices (`DEFAULT_INGEST_SLICE`) spread evenly over the next window: a call meets one short
 * stretch at most, instead of a whole window's records at once. A record reaches the store up to two windows later.
 */
const DEFAULT_INGEST_DELAY_MS = 250

/**
 * Most records per ingest call. Two same-run A/Bs (c=1 JSON, 6,000 calls per collector, the store on its own
 * thread): 8 records a call gave added p99 0.21 and -0.06 ms, 16 gave 2.16 and 0.97 ms, 4 gave 0.96 and 1.11 ms;
 * the serving thread spent 293 and 398 µs of CPU a call (8), 267 and 371 (16), 340 and 470 (4). Against whole
 * windows (the previous default), slices of 16 in the full proxy bench: added p99 2.35 against 5.00 ms at c=1 and
 * 7.58 against 18.99 ms at c=16, c=64 added p50 4.14 against 6.86 ms. With the store on the serving thread, each
 * call paid about 1 ms of fixed work there and whole windows were better (see docs/performance.md).
 */
const DEFAULT_INGEST_SLICE = 8

/** Ingest calls are this far apart on average at the most (slices grow instead): each has a fixed cost in the store. */
const MEAN_SLICE_GAP_MS = 4

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
  /** Most records per ingest call, default 8; a window's records go in slices spread over the next window. */
  ingestSlice: z.number().int().positive().optional(),
})
export type ProxyConfig = z.infer<typeof proxyConfigSchema>

/** The slice of the collector's `IngestService` the proxy needs. */
export interface IngestSink {
  ingest(batch: UnsealedRecord[], call?: { serverRedacted?: boolean; defer?: boolean }): Promise<unknown>
}

export interface CollectorProxyOptions {
  /** The app's ingest path, known once the app is built (the proxy is created before it). */
  ingest: () => IngestSink | undefined
  /**
   * Whether the ingest path redacts: records are then redacted in the record worker with the same policy, and
   * ingest skips its own pass over them. Default: not redacted here (ingest still redacts if it is set to).
   */
  prepare?: PrepareOptions
  /**
   * With encryption at rest: resolves the data keys of a group of calls' users, so that the record worker encrypts
   * their records (see `RecordThreadOptions.keysFor`); `tenant` names the key of calls without a user.
   */
  keysFor?: RecordThreadOptions['keysFor']
  tenant?: string
  /** Failures that are not the caller's: unreachable upstream, a batch the store refused, a full queue. */
  onError?: (err: ServerError) => void
  /** Calls waiting to be stored before new ones are dropped (and counted). Default 10,000. */
  maxPending?: number
  /**
   * A batch is taken for the store after this long or at `maxBatch` calls, whichever comes first, and goes to ingest
   * in slices. Default `proxy.ingestDelayMs` or 250 ms, and 512.
   */
  maxDelayMs?: number
  maxBatch?: number
  /** Most records per ingest call. Default `proxy.ingestSlice` or `DEFAULT_INGEST_SLICE`. */
  ingestSlice?: number
}

export interface CollectorProxy {
  proxy: ProxyHandler
  /** Where `/proxy/openai/v1/*` and `/proxy/anthropic/v1/*` calls go. */
  upstreams: { openai: string; anthropic: string }
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
 * server-side redaction, and with encryption at rest the encryption under keys resolved here, see `keysFor`); the
 * prepared records come back in batches and join the collector's ingest path, which seals and stores them like any
 * ingested record, in the collector's one chain.
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
  /** `count` pending calls end without a stored record: counted as dropped and reported. */
  const lose = (count: number, err: ServerError): void => {
    pending -= count
    dropped += count
    report(err)
  }
  /** Records redacted in the worker with the server's policy skip ingest's pass, which would find nothing left. */
  const redactedHere = opts.prepare?.redact === true

  const sliceSize = opts.ingestSlice ?? config?.ingestSlice ?? DEFAULT_INGEST_SLICE
  const windowMs = opts.maxDelayMs ?? config?.ingestDelayMs ?? DEFAULT_INGEST_DELAY_MS
  const maxSlices = Math.max(1, Math.floor(windowMs / MEAN_SLICE_GAP_MS))
  /** Records handed back by the worker and not yet given to ingest, in the order the calls ended. */
  const queue: UnsealedRecord[] = []
  let sliceTimer: NodeJS.Timeout | null = null

  /** One ingest call per slice (see `DEFAULT_INGEST_SLICE`). */
  async function ingestBatch(sink: IngestSink, batch: UnsealedRecord[]): Promise<void> {
    try {
      // Stored after their calls ended, with no client waiting: the store may commit them with the next slices.
      await sink.ingest(batch, { serverRedacted: redactedHere, defer: true })
      pending -= batch.length
    } catch (cause) {
      lose(
        batch.length,
        new ServerError('STORAGE_ERROR', `proxy: ${batch.length} calls could not be stored`, { cause }),
      )
    }
  }

  /**
   * Hands the next `size` queued records to ingest. Ingest takes calls in the order they are made (the collector
   * seals into a single chain) and each call's preparation is one stretch on this thread, so calls are not chained
   * on each other's completion: a slice goes as soon as its turn comes, and the store works on one while the next
   * is prepared.
   */
  function sendSlice(size: number): void {
    const batch = size >= queue.length ? queue.splice(0) : queue.splice(0, size)
    if (batch.length === 0) return
    const sink = opts.ingest()
    if (!sink) {
      lose(batch.length, new ServerError('INTERNAL', `proxy: ${batch.length} calls dropped, no ingest path attached`))
      return
    }
    const stored = ingestBatch(sink, batch)
    inFlight = Promise.all([inFlight, stored]).then(() => undefined)
  }

  function nextSlice(): void {
    sliceTimer = null
    // Under load the slices grow rather than multiply: a window's records go in at most `maxSlices` calls.
    const size = Math.max(sliceSize, Math.ceil(queue.length / maxSlices))
    sendSlice(size)
    if (queue.length === 0) return
    // What is left is spread over one batch window, so that a call in flight meets one slice at most; the records
    // keep arriving at the pace they are drained, and a growing queue shortens the gaps.
    const slices = Math.ceil(queue.length / size)
    sliceTimer = setTimeout(nextSlice, Math.max(1, Math.floor(windowMs / (slices + 1))))
  }

  const onRecords = (batch: UnsealedRecord[]): void => {
    for (const record of batch) queue.push(record)
    sliceTimer ??= setTimeout(nextSlice, 1)
  }

  const thread = openRecordThread({
    prepare: opts.prepare ?? { redact: false },
    ...(opts.keysFor ? { keysFor: opts.keysFor } : {}),
    ...(opts.tenant ? { tenant: opts.tenant } : {}),
    maxDelayMs: windowMs,
    maxBatch: opts.maxBatch ?? 512,
    onRecords,
    onFailed(count, message) {
      lose(count, new ServerError('INTERNAL', `proxy: ${count} calls could not be recorded: ${message}`))
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

  // Resolved once: the proxy forwards to these, and the server names them at start.
  const upstreams = {
    openai: config?.openaiUpstream ?? DEFAULT_UPSTREAMS.openai,
    anthropic: config?.anthropicUpstream ?? DEFAULT_UPSTREAMS.anthropic,
  }
  const proxy = createProxy({
    upstreams,
    ...(config?.maxCaptureBytes ? { maxCaptureBytes: config.maxCaptureBytes } : {}),
    onExchange,
    onError: report,
    // The record worker counts tokens itself, on the first call that needs an estimate.
    preloadTokenizers: false,
  })
  return {
    proxy,
    upstreams,
    handlers: { openai: proxy, anthropic: proxy, attach: proxy.attach },
    get dropped() {
      return dropped
    },
    async close() {
      // Calls still in flight end first (the pools close once they have); then every answered call is recorded:
      // the worker hands back what it holds, and ingest stores it.
      await proxy.close()
      await thread.close()
      // What is still queued goes in one call: nothing is in flight any more to be kept waiting.
      if (sliceTimer) clearTimeout(sliceTimer)
      sliceTimer = null
      sendSlice(queue.length)
      await inFlight
    },
  }
}
