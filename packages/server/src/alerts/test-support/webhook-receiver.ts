import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceiverOptions {
  /** Never answer (the connection stays open until the client gives up). */
  hang?: boolean
  /** Answer 500 to this many requests before succeeding. */
  failFirst?: number
}

/** A real HTTP webhook receiver on loopback that records JSON bodies and lets tests await them. */
export class WebhookReceiver {
  readonly bodies: unknown[] = []
  requests = 0
  readonly #server = createServer((req, res) => this.#handle(req, res))
  readonly #waiters: Array<{ n: number; resolve: () => void }> = []
  readonly #hanging = new Set<ServerResponse>()
  #options: ReceiverOptions
  url = ''

  constructor(options: ReceiverOptions = {}) {
    this.#options = options
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hook`
    return this
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      this.requests++
      if (this.#options.hang) {
        this.#hanging.add(res)
        return
      }
      if ((this.#options.failFirst ?? 0) > 0) {
        this.#options.failFirst!--
        res.writeHead(500).end()
        return
      }
      this.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      res.writeHead(204).end()
      for (const w of [...this.#waiters]) {
        if (this.bodies.length >= w.n) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1)
          w.resolve()
        }
      }
    })
  }

  /** Resolves once `n` bodies have arrived in total. */
  waitFor(n: number): Promise<void> {
    if (this.bodies.length >= n) return Promise.resolve()
    return new Promise((resolve) => this.#waiters.push({ n, resolve }))
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy()
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }
}
