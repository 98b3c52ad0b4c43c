import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import type { ServerError } from '../errors.js'
import type { ProxyStats } from './create-proxy.js'
import type { Exchange, ProviderName } from './exchange.js'
import { BODY, ClientConn, HEAD, WAIT } from './forwarded-connection.js'
import { parseRequestHead } from './http1-head.js'
import type { ProxyAuthorizer } from './proxy-auth.js'
import { type UpstreamConn, UpstreamPool } from './upstream-pool.js'

/** What the forwarder shares with the request handler that created it. */
export interface ForwarderContext {
  prefix: string
  upstreams: Record<ProviderName, { origin: URL; basePath: string }>
  maxCapture: number
  maxRequest: number
  headersTimeoutMs: number
  bodyTimeoutMs: number
  stats: ProxyStats
  record(ex: Exchange): void
  report(err: ServerError): void
}

export interface AttachOptions {
  /** The auth decision for each proxied request; a denied one is handed to node:http, which answers it. */
  authorize?: ProxyAuthorizer
  /** Told about each proxied exchange once its response has ended (or failed), e.g. for a request-duration metric. */
  onResponse?(method: string, provider: ProviderName, status: number, seconds: number): void
}

const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])

type Sockets = Server & { closeIdleConnections(): void; closeAllConnections(): void }

/**
 * The proxy's serving path at the socket: proxied calls on a connection are parsed by a strict HTTP/1.1 head parser
 * (http1-head.ts), the rewritten head and the body go to a kept-alive upstream connection in one write, and the
 * upstream's response bytes go straight back to the client as they arrive, framing and all, while a reference to
 * each is kept for the record (chunked framing is removed when the record is built, off this path). A connection
 * whose request is anything else (another route, a denied key, an oversized body, anything outside the strict
 * subset) is handed, untouched, to node:http from that request on, and stays there.
 */
export class SocketForwarder {
  readonly #pools: Record<ProviderName, UpstreamPool>
  readonly #prefixes: string[]
  readonly #conns = new Set<ClientConn>()
  readonly #sweep: NodeJS.Timeout

  constructor(
    readonly ctx: ForwarderContext,
    readonly server: Server,
    readonly opts: AttachOptions,
    readonly handOff: (socket: Socket) => void,
  ) {
    const pool = (p: ProviderName) => new UpstreamPool(ctx.upstreams[p].origin, { keepAliveMs: 30_000 })
    this.#pools = { openai: pool('openai'), anthropic: pool('anthropic') }
    this.#prefixes = [`${ctx.prefix}/openai/v1/`, `${ctx.prefix}/anthropic/v1/`]
    // One timer for every timeout (idle clients, upstream headers and body), not one per request.
    this.#sweep = setInterval(() => this.#tick(), 1000).unref()
  }

  /** Takes a new client connection. */
  accept(socket: Socket): void {
    const conn = new ClientConn(this, socket)
    this.#conns.add(conn)
  }

  pool(provider: ProviderName): UpstreamPool {
    return this.#pools[provider]
  }

  route(target: string): ProviderName | null {
    if (target.startsWith(this.#prefixes[0]!)) return 'openai'
    if (target.startsWith(this.#prefixes[1]!)) return 'anthropic'
    return null
  }

  parse(buf: Buffer): ReturnType<typeof parseRequestHead> {
    return parseRequestHead(buf, METHODS, this.#prefixes)
  }

  forget(conn: ClientConn): void {
    this.#conns.delete(conn)
  }

  /** The connection headers node:http would send on a kept-alive response. */
  get keepAliveHeaders(): string {
    const s = Math.floor(this.server.keepAliveTimeout / 1000)
    return s > 0 ? `connection: keep-alive\r\nkeep-alive: timeout=${s}\r\n` : 'connection: keep-alive\r\n'
  }

  get closing(): boolean {
    return !this.server.listening
  }

  #tick(): void {
    // node:http's own limits for a connection it serves, 0 meaning none.
    const limit = (ms: number): number => (ms > 0 ? Math.ceil(ms / 1000) : Number.POSITIVE_INFINITY)
    const idleTicks = limit(this.server.keepAliveTimeout)
    const headTicks = limit(this.server.headersTimeout)
    const requestTicks = limit(this.server.requestTimeout)
    const headersTicks = Math.ceil(this.ctx.headersTimeoutMs / 1000)
    const bodyTicks = Math.ceil(this.ctx.bodyTimeoutMs / 1000)
    for (const conn of this.#conns) {
      conn.ticks++
      if (conn.state === WAIT) continue
      const max = conn.state === BODY ? requestTicks : conn.pending ? headTicks : idleTicks
      if (conn.ticks > max) conn.socket.destroy()
    }
    const check = (up: UpstreamConn): void => {
      const user = up.user as ClientConn | null
      if (!user) return
      if (up.ticks > (user.response ? bodyTicks : headersTicks)) user.timedOut(up)
    }
    this.#pools.openai.sweep(check)
    this.#pools.anthropic.sweep(check)
  }

  /** Closes idle client connections; busy ones close after their response. */
  closeIdle(): void {
    for (const conn of this.#conns) if (conn.state === HEAD && conn.pending === null) conn.socket.destroy()
  }

  closeAll(): void {
    for (const conn of this.#conns) conn.socket.destroy()
  }

  /** Stops the sweep and the upstream pools (busy connections close once their exchange ends). */
  async close(): Promise<void> {
    this.closeIdle()
    // In-flight exchanges end on their own; wait for them, as the undici pools' close() does.
    await Promise.all([this.#pools.openai.close(), this.#pools.anthropic.close()])
    clearInterval(this.#sweep)
  }
}

/**
 * Puts the forwarder in front of `server`'s HTTP parser: every new connection starts with the forwarder, which hands
 * it to the server's own `connection` listeners at its first request that is not a plain proxied call. The server's
 * `closeIdleConnections` / `closeAllConnections` (which `close()` and Fastify call) reach the forwarder's connections too.
 */
export function attachForwarder(ctx: ForwarderContext, server: Server, opts: AttachOptions): SocketForwarder {
  const listeners = server.listeners('connection') as Array<(socket: Socket) => void>
  server.removeAllListeners('connection')
  const handOff = (socket: Socket): void => {
    for (const l of listeners) l.call(server, socket)
    // Bytes put back with unshift() flow once a 'data' listener is on; node:http's reads the rest from the handle.
    socket.resume()
  }
  const fw = new SocketForwarder(ctx, server, opts, handOff)
  server.on('connection', (socket: Socket) => fw.accept(socket))
  const s = server as Sockets
  const closeIdle = s.closeIdleConnections.bind(s)
  const closeAll = s.closeAllConnections.bind(s)
  s.closeIdleConnections = () => {
    fw.closeIdle()
    closeIdle()
  }
  s.closeAllConnections = () => {
    fw.closeAll()
    closeAll()
  }
  return fw
}
