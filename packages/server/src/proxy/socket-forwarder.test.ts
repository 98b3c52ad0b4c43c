import { createServer, type Server } from 'node:http'
import net, { type AddressInfo } from 'node:net'
import { Client } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FakeUpstream, startFakeOpenAI } from '../../../../test-support/fake-upstreams/index.js'
import { createProxy, type ProxyHandler, type ProxyOptions } from './create-proxy.js'

// The socket forwarder in front of a node:http server whose other routes answer `app`: what it takes, what it hands
// to node:http, and how it frames what the upstream sends.

const BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
const PATH = '/proxy/openai/v1/chat/completions'

async function serve(
  upstream: string,
  extra: Partial<ProxyOptions> = {},
): Promise<{ url: string; proxy: ProxyHandler; close(): Promise<void> }> {
  const proxy = createProxy({ upstreams: { openai: upstream, anthropic: upstream }, onExchange: () => {}, ...extra })
  const server: Server = createServer((req, res) => {
    if (proxy.matches(req.url ?? '')) proxy(req, res)
    else res.end('app')
  })
  proxy.attach(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    proxy,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await proxy.close()
    },
  }
}

/** Writes raw bytes on a fresh connection and reads until the server closes it or `until` matches. */
function exchange(url: string, bytes: string, until: RegExp): Promise<string> {
  const { port } = new URL(url)
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), '127.0.0.1', () => s.write(bytes))
    let got = ''
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1')
      if (until.test(got)) s.destroy()
    })
    s.on('close', () => resolve(got))
    s.on('error', reject)
  })
}

let oa: FakeUpstream
let px: Awaited<ReturnType<typeof serve>>

beforeAll(async () => {
  oa = await startFakeOpenAI()
  px = await serve(oa.url)
})
afterAll(async () => {
  await px.close()
  await oa.close()
})

const head = (extra = '') =>
  `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n${extra}\r\n`

describe('socket forwarder', () => {
  it('answers pipelined calls in order, on one connection', async () => {
    const before = oa.requests.length
    const got = await exchange(px.url, `${head()}${BODY}${head()}${BODY}`, /(chat\.completion[\s\S]*){2}/)
    expect(got.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2)
    expect(oa.requests.length).toBe(before + 2)
  })

  it('leaves an ambiguous request to node:http, which refuses it; nothing reaches the upstream', async () => {
    const before = oa.requests.length
    const smuggled = 'GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n'
    const got = await exchange(
      px.url,
      `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
      /\r\n\r\n/,
    )
    expect(got).toMatch(/^HTTP\/1\.1 400 /)
    expect(oa.requests.length).toBe(before)
  })

  it('hands a connection to node:http at its first other request; proxied calls still work there', async () => {
    const client = new Client(px.url)
    try {
      const forwarded = px.proxy.stats.forwarded
      const post = async () => {
        const res = await client.request({
          path: PATH,
          method: 'POST',
          body: BODY,
          headers: { 'content-type': 'application/json' },
        })
        return { status: res.statusCode, text: await res.body.text() }
      }
      expect((await post()).status).toBe(200)
      const other = await client.request({ path: '/healthz', method: 'GET' })
      expect(await other.body.text()).toBe('app')
      const again = await post()
      expect(again.status).toBe(200)
      expect(again.text).toContain('chat.completion')
      expect(px.proxy.stats.forwarded).toBe(forwarded + 2)
    } finally {
      await client.close()
    }
  })

  it('passes a chunked upload through node:http', async () => {
    const client = new Client(px.url)
    try {
      async function* parts() {
        yield Buffer.from(BODY.slice(0, 10))
        yield Buffer.from(BODY.slice(10))
      }
      const res = await client.request({
        path: PATH,
        method: 'POST',
        body: parts(),
        headers: { 'content-type': 'application/json' },
      })
      expect(res.statusCode).toBe(200)
      await res.body.text()
      expect(oa.requests.at(-1)!.body).toBe(BODY)
    } finally {
      await client.close()
    }
  })
})

describe('socket forwarder · upstream framing', () => {
  /** An upstream that answers every request with `reply` and then closes the connection (null: never answers). */
  async function rawUpstream(reply: string | null): Promise<{ url: string; close(): Promise<void> }> {
    const sockets = new Set<net.Socket>()
    const server = net.createServer((s) => {
      sockets.add(s)
      if (reply !== null) s.once('data', () => s.end(reply))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy()
          server.close(() => resolve())
        }),
    }
  }

  it('passes a body that ends with the connection, and closes the client connection after it', async () => {
    const up = await rawUpstream('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{"id":"close-delimited"}')
    const p = await serve(up.url)
    try {
      const got = await exchange(p.url, `${head()}${BODY}`, /^$/)
      expect(got).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
      expect(got).toContain('connection: close\r\n')
      expect(got.endsWith('\r\n\r\n{"id":"close-delimited"}')).toBe(true)
    } finally {
      await p.close()
      await up.close()
    }
  })

  it('answers 502 when the upstream frames its response ambiguously', async () => {
    const up = await rawUpstream('HTTP/1.1 200 OK\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n')
    const p = await serve(up.url)
    try {
      const got = await exchange(p.url, `${head('Connection: close\r\n')}${BODY}`, /^$/)
      expect(got).toMatch(/^HTTP\/1\.1 502 /)
      expect(got).toContain('upstream_error')
      expect(p.proxy.stats.upstreamErrors).toBe(1)
    } finally {
      await p.close()
      await up.close()
    }
  })

  it('answers 502 when the upstream sends no head within headersTimeoutMs', async () => {
    const up = await rawUpstream(null)
    const p = await serve(up.url, { headersTimeoutMs: 1000 })
    try {
      const got = await exchange(p.url, `${head()}${BODY}`, /upstream_error/)
      expect(got).toMatch(/^HTTP\/1\.1 502 /)
      expect(got).toContain('headers timeout')
    } finally {
      await p.close()
      await up.close()
    }
  })
})
