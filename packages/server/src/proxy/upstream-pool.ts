import net from 'node:net'
import tls from 'node:tls'

/** What a pooled connection reports to the exchange that holds it. */
export interface UpstreamUser {
  onUpstreamData(chunk: Buffer): void
  /** The connection closed (`err` when it failed) while this user held it. */
  onUpstreamClosed(err: Error | null): void
}

/** One kept-alive connection to an upstream. Listeners are attached once, at connect, and dispatch to `user`. */
export class UpstreamConn {
  user: UpstreamUser | null = null
  /** Sweeps (one a second) since the last byte read or, when idle, since it was released. */
  ticks = 0
  /** Sweeps it may stay idle before it is closed. */
  idleTicks = 0
  #error: Error | null = null

  constructor(
    readonly socket: net.Socket,
    readonly pool: UpstreamPool,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.ticks = 0
      if (this.user) this.user.onUpstreamData(chunk)
      // Bytes on an idle connection answer nothing we asked: the connection cannot be trusted with another request.
      else socket.destroy()
    })
    socket.on('error', (err: Error) => {
      this.#error = err
    })
    socket.on('close', () => {
      const user = this.user
      pool.forget(this)
      user?.onUpstreamClosed(this.#error ?? (this.socket.readableEnded ? null : new Error('connection closed')))
    })
  }
}

export interface UpstreamPoolOptions {
  /** Longest a connection is kept idle, ms; an upstream's shorter `Keep-Alive: timeout` hint wins. */
  keepAliveMs: number
}

/**
 * Kept-alive connections to one upstream origin (http or https), reused last-in first-out so the warmest one goes
 * first. No limit on connections: each exchange in flight holds one, as each client connection does on our side.
 */
export class UpstreamPool {
  readonly #idle: UpstreamConn[] = []
  readonly #busy = new Set<UpstreamConn>()
  readonly #host: string
  readonly #port: number
  readonly #secure: boolean
  #closing = false
  #drained: (() => void) | null = null

  constructor(
    origin: URL,
    private readonly opts: UpstreamPoolOptions,
  ) {
    this.#secure = origin.protocol === 'https:'
    this.#host = origin.hostname.replace(/^\[|\]$/g, '')
    this.#port = Number(origin.port) || (this.#secure ? 443 : 80)
  }

  /** A connection for `user`: an idle one, or a new one (writes before it is connected are queued by Node). */
  acquire(user: UpstreamUser): UpstreamConn {
    let conn = this.#idle.pop()
    while (conn?.socket.destroyed) conn = this.#idle.pop()
    if (!conn) {
      const socket = this.#secure
        ? tls.connect({
            host: this.#host,
            port: this.#port,
            // SNI takes host names only (RFC 6066); the certificate is checked against the host either way.
            ...(net.isIP(this.#host) ? {} : { servername: this.#host }),
            ALPNProtocols: ['http/1.1'],
          })
        : net.connect({ host: this.#host, port: this.#port })
      socket.setNoDelay(true)
      conn = new UpstreamConn(socket, this)
    }
    conn.user = user
    conn.ticks = 0
    this.#busy.add(conn)
    return conn
  }

  /** Back to the pool after a complete response; `hintMs` is the upstream's keep-alive hint (0: none). */
  release(conn: UpstreamConn, hintMs: number): void {
    this.#unbusy(conn)
    if (this.#closing || conn.socket.destroyed) {
      conn.socket.destroy()
      return
    }
    // Close a second early so the upstream never closes a connection we are about to write to.
    const ms = hintMs > 0 ? Math.min(this.opts.keepAliveMs, hintMs - 1000) : this.opts.keepAliveMs
    if (ms < 1000) {
      conn.socket.destroy()
      return
    }
    conn.ticks = 0
    conn.idleTicks = Math.floor(ms / 1000)
    // Paused when the client fell behind on the last body bytes; an idle connection must still see its close.
    if (conn.socket.isPaused()) conn.socket.resume()
    this.#idle.push(conn)
  }

  /** Drops a connection that must not be reused (its user is told nothing more). */
  discard(conn: UpstreamConn): void {
    this.#unbusy(conn)
    conn.socket.destroy()
  }

  forget(conn: UpstreamConn): void {
    this.#unbusy(conn)
    const i = this.#idle.indexOf(conn)
    if (i >= 0) this.#idle.splice(i, 1)
  }

  /** Once a second: closes connections idle past their time, and hands busy ones to `check` (timeouts). */
  sweep(check: (conn: UpstreamConn) => void): void {
    for (const conn of [...this.#idle]) {
      if (++conn.ticks > conn.idleTicks) conn.socket.destroy()
    }
    for (const conn of this.#busy) {
      conn.ticks++
      check(conn)
    }
  }

  #unbusy(conn: UpstreamConn): void {
    conn.user = null
    if (this.#busy.delete(conn) && this.#busy.size === 0) this.#drained?.()
  }

  /** Closes idle connections now and busy ones as they are released; resolves once none is busy. */
  close(): Promise<void> {
    this.#closing = true
    for (const conn of this.#idle.splice(0)) conn.socket.destroy()
    if (this.#busy.size === 0) return Promise.resolve()
    return new Promise((resolve) => {
      this.#drained = resolve
    })
  }
}
