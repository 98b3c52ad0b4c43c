import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'

/** A parsed request body: arbitrary provider JSON, read loosely on purpose. */
// biome-ignore lint/suspicious/noExplicitAny: the fakes read whatever JSON the clients send
export type Body = any

/** One request as the fake upstream received it. */
export interface FakeRequest {
  method: string
  /** Path with query, e.g. `/v1/chat/completions?x=1`. */
  url: string
  headers: IncomingMessage['headers']
  body: string
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: Body
  /** Resolves when the response socket closes; `aborted` is true when it closed before the response ended. */
  closed: Promise<{ aborted: boolean }>
}

/** What `startFakeOpenAI()` / `startFakeAnthropic()` return. */
export interface FakeUpstream {
  /** Origin, e.g. `http://127.0.0.1:40123` (no trailing slash, no `/v1`). */
  url: string
  /** Every request received, in arrival order. */
  requests: FakeRequest[]
  close(): Promise<void>
}

/**
 * The scenario a request asks for: the `x-fake-scenario` header, else a model named `fake-<scenario>`
 * (e.g. `fake-error-429`), else `ok`.
 */
export type FakeScenario =
  | 'ok'
  | 'echo'
  | 'tools'
  | 'error-400'
  | 'error-401'
  | 'error-429'
  | 'error-500'
  | 'cut'
  | 'hang'

const SCENARIOS = new Set<string>([
  'ok',
  'echo',
  'tools',
  'error-400',
  'error-401',
  'error-429',
  'error-500',
  'cut',
  'hang',
])

export function scenarioOf(req: FakeRequest): FakeScenario {
  const header = req.headers['x-fake-scenario']
  if (typeof header === 'string' && SCENARIOS.has(header)) return header as FakeScenario
  const model = typeof req.json?.model === 'string' ? (req.json.model as string) : ''
  if (model.startsWith('fake-')) {
    const s = model.slice(5)
    if (SCENARIOS.has(s)) return s as FakeScenario
  }
  return 'ok'
}

export type FakeRoute = (req: FakeRequest, res: ServerResponse) => void

/** How a fake upstream listens. */
export interface FakeServerOptions {
  /** Serve HTTPS with this PEM key and certificate (the URL is then `https://127.0.0.1:<port>`). */
  tls?: { key: string; cert: string }
}

/**
 * Starts a node:http (or, with `tls`, node:https) server on 127.0.0.1:0 that reads each body fully, records it and
 * hands it to `route`.
 */
export async function startFakeServer(route: FakeRoute, options: FakeServerOptions = {}): Promise<FakeUpstream> {
  const requests: FakeRequest[] = []
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      let json: unknown
      try {
        json = body ? JSON.parse(body) : undefined
      } catch {
        json = undefined
      }
      const closed = new Promise<{ aborted: boolean }>((resolve) => {
        res.on('close', () => resolve({ aborted: !res.writableFinished }))
      })
      const record: FakeRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body,
        json,
        closed,
      }
      requests.push(record)
      route(record, res)
    })
  }
  const server = options.tls
    ? createHttpsServer({ ...options.tls, noDelay: true, keepAlive: true }, handler)
    : createServer({ noDelay: true, keepAlive: true }, handler)
  // Longer than any client's idle timeout, so the client always closes an idle connection first (no reset races).
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  })
  res.end(text)
}

/**
 * Writes SSE frames one per event loop turn, so each arrives as its own chunk like a real token stream.
 * `cutAfter` destroys the socket after that many frames (a stream cut midway); `hang` stops writing
 * after the first frame and leaves the response open until the client goes away.
 */
export function sendSse(
  res: ServerResponse,
  frames: string[],
  opts: { headers?: Record<string, string>; cutAfter?: number; hang?: boolean } = {},
): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...opts.headers,
  })
  let i = 0
  const next = (): void => {
    if (res.destroyed) return
    if (opts.cutAfter !== undefined && i >= opts.cutAfter) {
      res.socket?.destroy()
      return
    }
    if (opts.hang && i >= 1) return
    if (i >= frames.length) {
      res.end()
      return
    }
    res.write(frames[i++])
    setImmediate(next)
  }
  next()
}

/**
 * A short id derived from the request itself, so the same request gets the same ids and the same bytes whichever
 * way it arrives (direct or through a proxy): tests compare the two byte for byte.
 */
export function idOf(req: FakeRequest): string {
  return createHash('sha1').update(`${req.method} ${req.url} ${req.body}`).digest('hex').slice(0, 12)
}

/** Splits text into word-sized pieces that keep their trailing space, as a token stream would. */
export function pieces(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [text]
}

/** A deterministic token count (about four characters a token) so usage is stable across runs. */
export function fakeTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4))
}

export const FAKE_REPLY = 'Hello from the fake upstream. This reply is the same every time.'
