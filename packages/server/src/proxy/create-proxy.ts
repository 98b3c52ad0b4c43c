import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import type { LogInput } from '@promptledger/sdk'
import { Pool } from 'undici'
import { ServerError } from '../errors.js'
import { buildLogInput } from './build-log-input.js'
import { type Exchange, newExchange, noteFirstToken, type ProviderName } from './exchange.js'
import { forwardRequestHeaders, forwardResponseHeaders, readTags, tagsProblem } from './headers.js'
import { type AttachOptions, attachForwarder, type SocketForwarder } from './socket-forwarder.js'
import { loadTokenizers } from './token-estimate.js'
import { sendProviderError } from './upstream-error.js'

export interface ProxyOptions {
  /** Upstream origins (a base path is allowed); `/v1/...` is appended. Defaults: the public OpenAI and Anthropic APIs. */
  upstreams?: { openai?: string; anthropic?: string }
  /** Receives one record per call, built on this thread after the response has ended; redaction and sealing happen there. */
  onRecord?(input: LogInput): void | Promise<void>
  /**
   * Receives each finished exchange instead, as soon as the response has ended, to build its record elsewhere (the
   * collector hands it to a worker thread). Takes precedence over `onRecord`.
   */
  onExchange?(ex: Exchange): void
  /** Told about failures that are not the caller's: upstream unreachable, a record that could not be built or taken. */
  onError?(err: ServerError): void
  /** Route prefix; default `/proxy`. */
  prefix?: string
  /** Response bytes kept for the record; the client always gets everything. Default 8 MiB. */
  maxCaptureBytes?: number
  /** Largest request body accepted (it is buffered to be forwarded and recorded). Default 32 MiB. */
  maxRequestBytes?: number
  /** Upstream headers / idle-body timeouts; long because models think. Default 10 minutes each. */
  headersTimeoutMs?: number
  bodyTimeoutMs?: number
  /** Load the tokenizers at construction (see `ready`); default true. When false they load on first use. */
  preloadTokenizers?: boolean
}

export interface ProxyStats {
  forwarded: number
  recorded: number
  skipped: number
  /** Records that could not be built or that `onRecord` rejected. */
  recordErrors: number
  upstreamErrors: number
  clientAborts: number
  truncated: number
}

/**
 * A Node request handler with the proxy's counters and a `close()` that drains the upstream pools and hands every
 * answered call's record to `onRecord`.
 */
export interface ProxyHandler {
  (req: IncomingMessage, res: ServerResponse): void
  /** True when the URL belongs to the proxy, so a host app can route by it. */
  matches(url: string): boolean
  readonly stats: ProxyStats
  /** Resolves once the tokenizers are loaded; await it before listening so no request waits behind that work. */
  readonly ready: Promise<void>
  /**
   * Serves proxied calls on `server`'s connections at the socket, ahead of node:http and whatever app handles its
   * `request` events (see socket-forwarder.ts); other requests still reach them. Call before `listen`.
   */
  attach(server: Server, opts?: AttachOptions): void
  close(): Promise<void>
}

export const DEFAULT_UPSTREAMS = { openai: 'https://api.openai.com', anthropic: 'https://api.anthropic.com' } as const

interface Upstream {
  pool: Pool
  origin: URL
  basePath: string
}

function openUpstream(base: string, opts: ProxyOptions): Upstream {
  const u = new URL(base)
  const pool = new Pool(u.origin, {
    keepAliveTimeout: 30_000,
    headersTimeout: opts.headersTimeoutMs ?? 600_000,
    bodyTimeout: opts.bodyTimeoutMs ?? 600_000,
  })
  return { pool, origin: u, basePath: u.pathname.replace(/\/+$/, '') }
}

/**
 * The zero-code proxy: `/proxy/openai/v1/*` and `/proxy/anthropic/v1/*` are forwarded verbatim (method, path, query,
 * headers, body, status) over kept-alive undici pools, SSE is written chunk by chunk as it arrives, and a record of
 * the call goes to `onRecord` after the response has ended. `x-promptledger-user|session|app|tags` tag the record,
 * `x-promptledger-skip: 1` skips it; `x-promptledger-*` headers are never forwarded, auth headers never recorded.
 *
 * `attach(server)` serves the same routes at the socket instead, ahead of node:http (socket-forwarder.ts): the
 * request head is parsed by a strict HTTP/1.1 parser and bytes pass between the client and a kept-alive upstream
 * connection untouched; whatever it does not take falls through to the handler below.
 *
 * @example
 * const proxy = createProxy({ onRecord: (input) => ledger.log(input) })
 * const server = http.createServer((req, res) => proxy.matches(req.url ?? '') ? proxy(req, res) : other(req, res))
 * proxy.attach(server)
 * server.listen(7420)
 * // new OpenAI({ baseURL: 'http://127.0.0.1:7420/proxy/openai/v1' })
 */
export function createProxy(opts: ProxyOptions): ProxyHandler {
  const prefix = (opts.prefix ?? '/proxy').replace(/\/+$/, '')
  const maxCapture = opts.maxCaptureBytes ?? 8 * 1024 * 1024
  const maxRequest = opts.maxRequestBytes ?? 32 * 1024 * 1024
  const upstreams: Record<ProviderName, Upstream> = {
    openai: openUpstream(opts.upstreams?.openai ?? DEFAULT_UPSTREAMS.openai, opts),
    anthropic: openUpstream(opts.upstreams?.anthropic ?? DEFAULT_UPSTREAMS.anthropic, opts),
  }
  const stats: ProxyStats = {
    forwarded: 0,
    recorded: 0,
    skipped: 0,
    recordErrors: 0,
    upstreamErrors: 0,
    clientAborts: 0,
    truncated: 0,
  }
  const report = (err: ServerError): void => opts.onError?.(err)
  const noDelaySet = new WeakSet<object>()

  function route(url: string): { provider: ProviderName; rest: string } | null {
    if (!url.startsWith(prefix)) return null
    const tail = url.slice(prefix.length)
    for (const provider of ['openai', 'anthropic'] as const) {
      const head = `/${provider}/v1/`
      if (tail.startsWith(head)) return { provider, rest: tail.slice(provider.length + 1) }
    }
    return null
  }

  // Finished exchanges wait here; one is turned into a record per event-loop turn, so that parsing never sits
  // between a request that has arrived (or an upstream answer) and its forwarding: I/O is polled between two.
  const finished: Exchange[] = []
  let draining = false
  const recorded = (): void => {
    stats.recorded++
  }
  const failed = (cause: unknown): void => {
    stats.recordErrors++
    report(new ServerError('INTERNAL', 'the proxy could not record a call', { cause }))
  }
  function drainOne(): void {
    const ex = finished.shift()
    if (!ex) {
      draining = false
      return
    }
    // Parsing, token counting and the record itself happen here, after the client has its last byte.
    const built = buildLogInput(ex)
      .then((input) => opts.onRecord?.(input))
      .then(recorded, failed)
    building.add(built)
    void built.finally(() => building.delete(built))
    setImmediate(drainOne)
  }
  /** Records being built (see drainOne); close() waits for them. */
  const building = new Set<Promise<void>>()

  /** Resolves once every finished exchange is built and handed to `onRecord`. */
  async function drained(): Promise<void> {
    while (finished.length > 0 || building.size > 0) {
      if (building.size > 0) await Promise.all(building)
      else await new Promise<void>((resolve) => setImmediate(resolve))
    }
  }

  function record(ex: Exchange): void {
    if (ex.tags.skip) {
      stats.skipped++
      return
    }
    if (ex.truncated) stats.truncated++
    if (opts.onExchange) {
      try {
        opts.onExchange(ex)
        stats.recorded++
      } catch (cause) {
        failed(cause)
      }
      return
    }
    finished.push(ex)
    if (!draining) {
      draining = true
      setImmediate(drainOne)
    }
  }

  function forward(req: IncomingMessage, res: ServerResponse, ex: Exchange, up: Upstream, pathAndQuery: string): void {
    let abort: ((err?: Error) => void) | null = null
    let resume: (() => void) | null = null
    let done = false
    const finish = (): void => {
      if (done) return
      done = true
      ex.endedAt = performance.now()
      record(ex)
    }
    // A client that goes away takes the upstream request with it (tokens cost money).
    res.on('close', () => {
      if (done) return
      if (!res.writableFinished) {
        stats.clientAborts++
        ex.failure = { type: 'client_aborted', message: 'the client closed the connection before the response ended' }
      }
      // finish() first: abort() calls onError synchronously, which must not relabel this as an upstream failure.
      finish()
      abort?.()
    })
    const onDrain = (): void => resume?.()
    stats.forwarded++
    up.pool.dispatch(
      {
        method: req.method as 'POST',
        path: up.basePath + pathAndQuery,
        headers: forwardRequestHeaders(req.rawHeaders),
        body: ex.requestBody,
      },
      {
        onConnect(a: (err?: Error) => void) {
          abort = a
          if (done) a()
        },
        onHeaders(status: number, raw: Buffer[], r: () => void, statusText: string) {
          if (done) return false
          resume = r
          ex.status = status
          const h = forwardResponseHeaders(raw)
          ex.contentType = h.contentType
          ex.encoding = h.encoding
          res.writeHead(status, statusText, h.headers)
          // The head rides with the first body chunk in one write (one syscall, one packet). A stream whose first
          // event is not in the same read gets its head flushed on the next turn, so the client sees 200 at once.
          if (h.contentType.startsWith('text/event-stream')) {
            setImmediate(() => {
              if (ex.firstByteAt === null && !res.writableEnded && !res.destroyed) res.flushHeaders()
            })
          }
          return true
        },
        onData(chunk: Buffer) {
          if (ex.firstTokenAt === null) {
            const now = performance.now()
            if (ex.firstByteAt === null) ex.firstByteAt = now
            noteFirstToken(ex, chunk, now)
          }
          // Keep a reference only (undici hands out a fresh slice per socket read); no copy on the hot path.
          if (ex.capturedBytes + chunk.length <= maxCapture) {
            ex.chunks.push(chunk)
            ex.capturedBytes += chunk.length
          } else ex.truncated = true
          const ok = res.write(chunk)
          if (!ok) res.once('drain', onDrain)
          return ok
        },
        onComplete() {
          if (done) return
          res.end()
          finish()
        },
        onError(err: Error) {
          if (done) return
          stats.upstreamErrors++
          if (!res.headersSent) {
            ex.status = 502
            ex.failure = { type: 'upstream_unreachable', message: `upstream ${ex.provider} failed: ${err.message}` }
            report(new ServerError('UPSTREAM_ERROR', ex.failure.message, { cause: err }))
            sendProviderError(res, ex.provider, 502, 'upstream_error', ex.failure.message)
          } else {
            ex.failure = { type: 'stream_cut', message: `the upstream response ended early: ${err.message}` }
            // The client must see the cut too, not a clean end of a truncated body.
            res.destroy()
          }
          finish()
        },
      },
    )
  }

  const handler = ((req: IncomingMessage, res: ServerResponse): void => {
    const t0 = performance.now()
    const url = req.url ?? '/'
    const r = route(url)
    if (!r) {
      sendProviderError(
        res,
        null,
        404,
        'not_found',
        `no proxy route for ${url.split('?')[0]}; use ${prefix}/openai/v1/... or ${prefix}/anthropic/v1/...`,
      )
      return
    }
    // Tokens go out as soon as they arrive, not when Nagle's timer allows; once per connection (it is a syscall).
    if (!noDelaySet.has(req.socket)) {
      req.socket.setNoDelay(true)
      noDelaySet.add(req.socket)
    }
    const tags = readTags(req.headers)
    const problem = tagsProblem(tags)
    if (problem !== null) {
      // Nothing is forwarded; the body is read and dropped, the connection closed after the answer.
      res.setHeader('connection', 'close')
      sendProviderError(res, r.provider, 400, 'invalid_request', problem)
      req.resume()
      return
    }
    const q = r.rest.indexOf('?')
    const ex = newExchange(r.provider, req.method ?? 'GET', q < 0 ? r.rest : r.rest.slice(0, q), tags, t0)
    const parts: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      if (res.headersSent) return
      size += c.length
      if (size > maxRequest) {
        parts.length = 0
        // Answer at once and close after: the rest of the upload is read and dropped, never forwarded.
        res.setHeader('connection', 'close')
        sendProviderError(res, r.provider, 413, 'request_too_large', `request body exceeds ${maxRequest} bytes`)
        return
      }
      parts.push(c)
    })
    req.on('end', () => {
      if (res.headersSent) return
      ex.requestBody = parts.length === 1 ? parts[0]! : Buffer.concat(parts)
      forward(req, res, ex, upstreams[r.provider], r.rest)
    })
  }) as ProxyHandler

  const ready =
    opts.preloadTokenizers === false
      ? Promise.resolve()
      : loadTokenizers().catch((cause: unknown) => {
          report(new ServerError('INTERNAL', 'the proxy could not load its tokenizers', { cause }))
        })
  Object.defineProperty(handler, 'stats', { value: stats })
  Object.defineProperty(handler, 'ready', { value: ready })
  handler.matches = (url: string) => route(url) !== null
  const forwarders: SocketForwarder[] = []
  handler.attach = (server, attachOpts = {}) => {
    const ctx = {
      prefix,
      upstreams,
      maxCapture,
      maxRequest,
      headersTimeoutMs: opts.headersTimeoutMs ?? 600_000,
      bodyTimeoutMs: opts.bodyTimeoutMs ?? 600_000,
      stats,
      record,
      report,
    }
    forwarders.push(attachForwarder(ctx, server, attachOpts))
  }
  handler.close = async () => {
    await Promise.all([
      upstreams.openai.pool.close(),
      upstreams.anthropic.pool.close(),
      ...forwarders.map((f) => f.close()),
    ])
    // Every call answered gets its record: the ones still waiting to be built are built now.
    await drained()
  }
  return handler
}
