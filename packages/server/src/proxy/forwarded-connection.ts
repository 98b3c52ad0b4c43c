import type { Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { ServerError } from '../errors.js'
import { ChunkedScanner } from './chunked-scan.js'
import { type Exchange, newExchange, noteFirstToken, type ProviderName } from './exchange.js'
import { HOP_BY_HOP, OWN_PREFIX, readTags, tagsProblem } from './headers.js'
import { type Framing, INCOMPLETE, NOT_OURS, parseResponseHead, type RequestHead } from './http1-head.js'
import type { SocketForwarder } from './socket-forwarder.js'
import { providerErrorBody } from './upstream-error.js'
import type { UpstreamConn, UpstreamUser } from './upstream-pool.js'

/** Bodies up to this size go out in one buffer with the head (one write, one packet); larger ones are corked. */
const COPY_LIMIT = 64 * 1024
/** Pipelined bytes held while an exchange is in flight before the client is paused. */
const MAX_PENDING = 1024 * 1024

// Client connection states.
export const HEAD = 0
export const BODY = 1
export const WAIT = 2
const DONE = 3

/** One client connection while the forwarder owns it. */
export class ClientConn implements UpstreamUser {
  state = HEAD
  /** Sweeps (one a second) since this connection's current request began, or since it went idle. */
  ticks = 0
  /** Bytes read and not yet taken by an exchange (a partial head, a pipelined request). */
  pending: Buffer | null = null
  ex: Exchange | null = null
  provider: ProviderName = 'openai'
  up: UpstreamConn | null = null
  /** The parsed upstream response head, once it has arrived. */
  response: ReturnType<typeof parseResponseHead> | null = null
  #head: RequestHead | null = null
  #bodyParts: Buffer[] = []
  #bodyLeft = 0
  #respBuf: Buffer | null = null
  #framing: Framing = 'none'
  #left = 0
  readonly #scanner = new ChunkedScanner()
  #reusable = true
  #closeAfter = false
  #keepAliveMs = 0
  /** Set by `#bodySlice` when the response's last byte was in the bytes it returned. */
  #ended = false

  constructor(
    readonly fw: SocketForwarder,
    readonly socket: Socket,
  ) {
    socket.on('data', this.#onData)
    socket.on('end', this.#onGone)
    socket.on('close', this.#onGone)
    socket.on('error', this.#onError)
    socket.on('drain', this.#onDrain)
  }

  readonly #onData = (chunk: Buffer): void => {
    // The clock restarts with each request, not with each read: a client dripping a head or a body byte by byte is
    // bounded by node:http's headersTimeout / requestTimeout all the same.
    if (this.state === HEAD && this.pending === null) this.ticks = 0
    if (this.state === HEAD) this.#readHead(this.pending ? Buffer.concat([this.pending, chunk]) : chunk)
    else if (this.state === BODY) this.#readBody(chunk)
    else if (this.state === WAIT) {
      // A pipelined request: kept for when this exchange ends.
      this.pending = this.pending ? Buffer.concat([this.pending, chunk]) : chunk
      if (this.pending.length > MAX_PENDING) this.socket.pause()
    }
  }

  readonly #onDrain = (): void => {
    this.up?.socket.resume()
  }

  readonly #onError = (): void => {
    // 'close' follows; the abort is handled there.
  }

  /** The client went away (or half-closed, which node:http treats the same way): an exchange in flight is aborted. */
  readonly #onGone = (): void => {
    if (this.state === DONE) return
    const wasWaiting = this.state === WAIT
    this.state = DONE
    this.fw.forget(this)
    if (wasWaiting && this.ex) {
      this.fw.ctx.stats.clientAborts++
      this.ex.failure = {
        type: 'client_aborted',
        message: 'the client closed the connection before the response ended',
      }
      this.#finish()
      // A client that goes away takes the upstream request with it (tokens cost money).
      if (this.up) this.fw.pool(this.provider).discard(this.up)
      this.up = null
    }
    this.socket.destroy()
  }

  #readHead(buf: Buffer): void {
    const head = this.fw.parse(buf)
    if (head === INCOMPLETE) {
      this.pending = buf
      return
    }
    this.pending = null
    if (head === NOT_OURS || head.contentLength > this.fw.ctx.maxRequest) {
      this.#handOff(buf)
      return
    }
    const provider = this.fw.route(head.target)!
    // Our own headers and the provider's credentials by lower-case name, for the tags and the auth decision, combined
    // as node:http combines them (a repeated `authorization` keeps its first value, others are joined), so that both
    // paths decide alike.
    const own: Record<string, string> = {}
    const h = head.headers
    for (let i = 0; i < h.length; i += 2) {
      const lower = h[i]!.toLowerCase()
      // Host and Origin too: a keyless server's decision reads them (see keylessAllowed).
      if (lower === 'authorization' || lower === 'host' || lower === 'origin') own[lower] ??= h[i + 1]!
      else if (lower.startsWith(OWN_PREFIX))
        own[lower] = own[lower] === undefined ? h[i + 1]! : `${own[lower]}, ${h[i + 1]}`
    }
    const authorize = this.fw.opts.authorize
    if (authorize) {
      let denied: boolean
      try {
        denied = authorize({ headers: own, socket: this.socket }) !== null
      } catch {
        // node:http's path runs the same decision again, fails closed and logs why.
        denied = true
      }
      if (denied) {
        this.#handOff(buf)
        return
      }
    }
    const tags = readTags(own)
    // node:http's path answers tags that do not fit a record with a 400.
    if (tagsProblem(tags) !== null) {
      this.#handOff(buf)
      return
    }
    const t0 = performance.now()
    const rest = head.target.slice(this.fw.ctx.prefix.length + provider.length + 1)
    const q = rest.indexOf('?')
    this.ex = newExchange(provider, head.method, q < 0 ? rest : rest.slice(0, q), tags, t0)
    this.provider = provider
    this.#head = head
    this.#closeAfter = head.close
    const available = buf.length - head.size
    if (available >= head.contentLength) {
      const end = head.size + head.contentLength
      if (end < buf.length) this.pending = buf.subarray(end)
      this.#forward(buf.subarray(head.size, end))
      return
    }
    this.state = BODY
    this.#bodyParts = available > 0 ? [buf.subarray(head.size)] : []
    this.#bodyLeft = head.contentLength - available
  }

  #readBody(chunk: Buffer): void {
    if (chunk.length < this.#bodyLeft) {
      this.#bodyParts.push(chunk)
      this.#bodyLeft -= chunk.length
      return
    }
    this.#bodyParts.push(chunk.subarray(0, this.#bodyLeft))
    if (chunk.length > this.#bodyLeft) this.pending = chunk.subarray(this.#bodyLeft)
    const parts = this.#bodyParts
    this.#bodyParts = []
    this.#forward(parts.length === 1 ? parts[0]! : Buffer.concat(parts))
  }

  /** Hands the connection, from this request on, to node:http. */
  #handOff(buf: Buffer): void {
    const s = this.socket
    s.removeListener('data', this.#onData)
    s.removeListener('end', this.#onGone)
    s.removeListener('close', this.#onGone)
    s.removeListener('error', this.#onError)
    s.removeListener('drain', this.#onDrain)
    this.state = DONE
    this.fw.forget(this)
    // Paused first: a flowing socket would emit the unshifted bytes at once, before node:http listens for them.
    s.pause()
    if (buf.length > 0) s.unshift(buf)
    this.fw.handOff(s)
  }

  #forward(body: Buffer): void {
    const ex = this.ex!
    const head = this.#head!
    const ctx = this.fw.ctx
    const upstream = ctx.upstreams[this.provider]
    ex.requestBody = body
    this.state = WAIT
    this.response = null
    this.#respBuf = null
    this.#reusable = true
    ctx.stats.forwarded++
    let out = `${head.method} ${upstream.basePath}${head.target.slice(ctx.prefix.length + this.provider.length + 1)} HTTP/1.1\r\nhost: ${upstream.origin.host}\r\n`
    const h = head.headers
    for (let i = 0; i < h.length; i += 2) {
      const name = h[i]!
      const lower = name.toLowerCase()
      if (HOP_BY_HOP.has(lower) || lower === 'content-length' || lower.startsWith(OWN_PREFIX)) continue
      if (head.named?.includes(lower)) continue
      out += `${name}: ${h[i + 1]}\r\n`
    }
    if (body.length > 0 || head.method === 'POST' || head.method === 'PUT' || head.method === 'PATCH')
      out += `content-length: ${body.length}\r\n`
    out += '\r\n'
    const up = this.fw.pool(this.provider).acquire(this)
    this.up = up
    const headLength = Buffer.byteLength(out, 'latin1')
    if (body.length <= COPY_LIMIT) {
      const bytes = Buffer.allocUnsafe(headLength + body.length)
      bytes.write(out, 0, 'latin1')
      body.copy(bytes, headLength)
      up.socket.write(bytes)
    } else {
      up.socket.cork()
      up.socket.write(out, 'latin1')
      up.socket.write(body)
      up.socket.uncork()
    }
  }

  onUpstreamData(chunk: Buffer): void {
    if (this.state !== WAIT) return
    if (this.response === null) {
      const buf = this.#respBuf ? Buffer.concat([this.#respBuf, chunk]) : chunk
      const r = parseResponseHead(buf, this.ex!.method)
      if (r === INCOMPLETE) {
        this.#respBuf = buf
        return
      }
      this.#respBuf = null
      if (typeof r === 'string') {
        this.#upstreamFailed(new Error(`bad response: ${r}`))
        return
      }
      // An interim response (100, 103): not forwarded, the final one follows on the same connection.
      if (r.status < 200) {
        if (buf.length > r.size) this.onUpstreamData(buf.subarray(r.size))
        return
      }
      this.#startResponse(r, buf)
      return
    }
    this.#body(chunk, 0)
  }

  #startResponse(r: Exclude<ReturnType<typeof parseResponseHead>, string | typeof INCOMPLETE>, buf: Buffer): void {
    const ex = this.ex!
    this.response = r
    ex.status = r.status
    ex.contentType = r.contentType
    ex.encoding = r.encoding
    ex.chunked = r.framing === 'chunked'
    this.#framing = r.framing
    this.#left = r.contentLength
    this.#reusable = r.reusable
    this.#keepAliveMs = r.keepAliveMs
    if (r.framing === 'chunked') this.#scanner.reset()
    if (r.framing === 'close') this.#closeAfter = true
    const closing = this.#closeAfter || this.fw.closing
    const head = `${r.head}${closing ? 'connection: close\r\n' : this.fw.keepAliveHeaders}\r\n`
    // The head rides with the body bytes of the same read in one write (one syscall, one packet); a stream whose
    // first event is not in that read gets its head at once, so the client sees 200 before the first token.
    const first = this.#bodySlice(buf, r.size)
    if (first === null) return
    const headLength = Buffer.byteLength(head, 'latin1')
    if (first.length > 0 && first.length <= COPY_LIMIT) {
      this.#capture(first)
      const bytes = Buffer.allocUnsafe(headLength + first.length)
      bytes.write(head, 0, 'latin1')
      first.copy(bytes, headLength)
      this.#write(bytes)
    } else {
      this.socket.write(head, 'latin1')
      if (first.length > 0) {
        this.#capture(first)
        this.#write(first)
      }
    }
    if (this.#ended) this.#complete()
  }

  /** The body bytes of `buf` from `from` that belong to this response; sets `#ended` when it ends there. */
  #bodySlice(buf: Buffer, from: number): Buffer | null {
    this.#ended = false
    const n = buf.length
    switch (this.#framing) {
      case 'none':
        this.#ended = true
        if (from < n) this.#reusable = false
        return buf.subarray(from, from)
      case 'length': {
        const take = Math.min(this.#left, n - from)
        this.#left -= take
        if (this.#left === 0) {
          this.#ended = true
          if (from + take < n) this.#reusable = false
        }
        return buf.subarray(from, from + take)
      }
      case 'chunked': {
        const end = this.#scanner.scan(buf, from)
        if (end === -2) {
          this.#upstreamFailed(new Error('bad chunked framing'))
          return null
        }
        if (end === -1) return from === 0 ? buf : buf.subarray(from)
        this.#ended = true
        if (end < n) this.#reusable = false
        return buf.subarray(from, end)
      }
      default:
        return from === 0 ? buf : buf.subarray(from)
    }
  }

  #body(chunk: Buffer, from: number): void {
    const bytes = this.#bodySlice(chunk, from)
    if (bytes === null) return
    if (bytes.length > 0) {
      this.#capture(bytes)
      this.#write(bytes)
    }
    if (this.#ended) this.#complete()
  }

  #capture(bytes: Buffer): void {
    const ex = this.ex!
    if (ex.firstTokenAt === null) {
      const now = performance.now()
      if (ex.firstByteAt === null) ex.firstByteAt = now
      noteFirstToken(ex, bytes, now)
    }
    // Keep a reference only (each socket read is a fresh buffer); no copy on the hot path.
    if (ex.capturedBytes + bytes.length <= this.fw.ctx.maxCapture) {
      ex.chunks.push(bytes)
      ex.capturedBytes += bytes.length
    } else ex.truncated = true
  }

  #write(bytes: Buffer): void {
    if (!this.socket.write(bytes)) this.up?.socket.pause()
  }

  /** The response has ended: the upstream connection goes back to its pool, the record is handed over. */
  #complete(): void {
    const up = this.up!
    this.up = null
    const pool = this.fw.pool(this.provider)
    if (this.#reusable) pool.release(up, this.#keepAliveMs)
    else pool.discard(up)
    this.#endExchange(this.#closeAfter || this.fw.closing)
  }

  #finish(): void {
    const ex = this.ex!
    this.ex = null
    ex.endedAt = performance.now()
    this.fw.ctx.record(ex)
    this.fw.opts.onResponse?.(ex.method, ex.provider, ex.status ?? 0, (ex.endedAt - ex.t0) / 1000)
  }

  onUpstreamClosed(err: Error | null): void {
    if (this.state !== WAIT) return
    this.up = null
    if (err === null && this.response && this.#framing === 'close') {
      this.#closeAfter = true
      this.#reusable = false
      this.#finish()
      this.state = DONE
      this.fw.forget(this)
      this.socket.end()
      return
    }
    this.#upstreamFailed(err ?? new Error('the upstream closed the connection'))
  }

  timedOut(up: UpstreamConn): void {
    this.#upstreamFailed(new Error(this.response ? 'body timeout' : 'headers timeout'))
    up.socket.destroy()
  }

  #upstreamFailed(err: Error): void {
    const ex = this.ex!
    const ctx = this.fw.ctx
    if (this.up) {
      this.fw.pool(this.provider).discard(this.up)
      this.up = null
    }
    ctx.stats.upstreamErrors++
    if (this.response === null) {
      ex.status = 502
      ex.failure = { type: 'upstream_unreachable', message: `upstream ${ex.provider} failed: ${err.message}` }
      ctx.report(new ServerError('UPSTREAM_ERROR', ex.failure.message, { cause: err }))
      const text = providerErrorBody(ex.provider, 'upstream_error', ex.failure.message)
      const closing = this.#closeAfter || this.fw.closing
      this.socket.write(
        `HTTP/1.1 502 Bad Gateway\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n${closing ? 'connection: close' : 'connection: keep-alive'}\r\n\r\n${text}`,
      )
      this.#reusable = false
      this.#endExchange(closing)
      return
    }
    ex.failure = { type: 'stream_cut', message: `the upstream response ended early: ${err.message}` }
    // The client must see the cut too, not a clean end of a truncated body.
    this.#finish()
    this.state = DONE
    this.fw.forget(this)
    this.socket.destroy()
  }

  /** The exchange is over: close the connection, or read the next request (a pipelined one may be waiting). */
  #endExchange(closing: boolean): void {
    this.#finish()
    if (closing) {
      this.state = DONE
      this.fw.forget(this)
      this.socket.end()
      return
    }
    this.state = HEAD
    this.ticks = 0
    const next = this.pending
    if (next) {
      this.pending = null
      if (this.socket.isPaused()) this.socket.resume()
      this.#readHead(next)
    }
  }
}
