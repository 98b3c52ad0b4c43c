import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProxy } from './create-proxy.js'
import { PROXY_PATHS, type ProxyHarness, startProxyHarness } from './test-support/proxy-harness.js'

const SECRET = 'sk-test-secret-key-0123456789'
const user = [{ role: 'user' as const, content: 'hi' }]

describe.each(PROXY_PATHS)('%s path', (via) => {
  let h: ProxyHarness
  let n = 0

  beforeAll(async () => {
    h = await startProxyHarness({}, via)
  })
  afterAll(() => h.close())

  function client(headers: Record<string, string> = {}): OpenAI {
    return new OpenAI({ apiKey: SECRET, baseURL: `${h.url}/proxy/openai/v1`, maxRetries: 0, defaultHeaders: headers })
  }

  describe('proxy · headers, tags and skip', () => {
    it('tags the record from x-promptledger-* headers and never forwards them; auth goes upstream only', async () => {
      const c = client({
        'x-promptledger-user': 'user_42',
        'x-promptledger-session': 'sess_7',
        'x-promptledger-app': 'checkout',
        'x-promptledger-tags': 'beta, eu ,',
        'x-promptledger-key': 'pl_collector_key_secret',
      })
      await c.chat.completions.create({ model: 'gpt-4o-mini', messages: user })
      const seen = h.openai.requests.at(-1)!
      expect(seen.headers.authorization).toBe(`Bearer ${SECRET}`)
      expect(Object.keys(seen.headers).filter((k) => k.startsWith('x-promptledger-'))).toEqual([])
      const r = await h.record(n++)
      expect(r).toMatchObject({ userId: 'user_42', sessionId: 'sess_7', app: 'checkout', tags: ['beta', 'eu'] })
      const text = JSON.stringify(r)
      expect(text).not.toContain(SECRET)
      expect(text).not.toContain('pl_collector_key_secret')
    })

    it('forwards x-api-key for Anthropic and never records it', async () => {
      const res = await fetch(`${h.url}/proxy/anthropic/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': SECRET, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 8, messages: user }),
      })
      expect(res.status).toBe(200)
      await res.json()
      expect(h.anthropic.requests.at(-1)?.headers['x-api-key']).toBe(SECRET)
      expect(h.anthropic.requests.at(-1)?.headers['anthropic-version']).toBe('2023-06-01')
      expect(JSON.stringify(await h.record(n++))).not.toContain(SECRET)
    })

    it('skips the record with x-promptledger-skip: 1 but still forwards', async () => {
      const before = h.proxy.stats.skipped
      const r = await client({ 'x-promptledger-skip': '1' }).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: user,
      })
      expect(r.choices).toHaveLength(1)
      expect(h.proxy.stats.skipped).toBe(before + 1)
      // The next call is recorded as record n: nothing was recorded for the skipped one.
      await client().chat.completions.create({ model: 'gpt-4o', messages: user })
      expect((await h.record(n++)).model).toBe('gpt-4o')
      expect(h.records).toHaveLength(n)
    })
  })

  describe('proxy · aborts, cuts and failures', () => {
    it('propagates a client abort upstream and records it', async () => {
      const ac = new AbortController()
      const stream = await client().chat.completions.create(
        { model: 'fake-hang', messages: user, stream: true },
        { signal: ac.signal },
      )
      const it = stream[Symbol.asyncIterator]()
      await it.next()
      ac.abort()
      // The client library ends the iteration quietly on abort; what matters is what the upstream saw.
      await it.next().catch(() => undefined)
      expect(await h.openai.requests.at(-1)!.closed).toEqual({ aborted: true })
      const r = await h.record(n++)
      expect(r).toMatchObject({ status: 'error', error: { type: 'client_aborted' } })
      expect(r.ttftMs).toBeGreaterThan(0)
    })

    it('records an OpenAI stream cut midway as an error and the client sees the cut', async () => {
      const stream = await client().chat.completions.create({ model: 'fake-cut', messages: user, stream: true })
      const chunks: unknown[] = []
      await expect(
        (async () => {
          for await (const c of stream) chunks.push(c)
        })(),
      ).rejects.toThrow()
      expect(chunks.length).toBeGreaterThan(0)
      const r = await h.record(n++)
      expect(r).toMatchObject({ status: 'error', error: { type: 'stream_cut', httpStatus: 200 } })
      expect(r.usage?.estimated).toBe(true)
    })

    it('answers 404 in OpenAI error shape for a path outside the proxy routes', async () => {
      const res = await fetch(`${h.url}/proxy/mistral/v1/chat`)
      expect(res.status).toBe(404)
      expect(await res.json()).toMatchObject({ error: { type: 'not_found' } })
      expect((await fetch(`${h.url}/proxy/openai/v2/x`)).status).toBe(404)
    })

    it('answers 502 in the provider error shape when the upstream is unreachable', async () => {
      // A port that was just free: nothing listens there.
      const probe = createServer()
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
      const deadUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`
      await new Promise<void>((resolve) => probe.close(() => resolve()))
      const records: unknown[] = []
      const errors: Error[] = []
      let resolveRecord: () => void = () => {}
      const recorded = new Promise<void>((r) => {
        resolveRecord = r
      })
      const proxy = createProxy({
        upstreams: { openai: deadUrl, anthropic: deadUrl },
        onRecord: (r) => {
          records.push(r)
          resolveRecord()
        },
        onError: (e) => errors.push(e),
      })
      const server = createServer(proxy)
      if (via === 'socket') proxy.attach(server)
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      try {
        const c = new OpenAI({ apiKey: SECRET, baseURL: `${base}/proxy/openai/v1`, maxRetries: 0 })
        const err = await c.chat.completions.create({ model: 'gpt-4o', messages: user }).catch((e: unknown) => e)
        expect(err).toBeInstanceOf(OpenAI.InternalServerError)
        expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(502)
        expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ type: 'upstream_error' })
        await recorded
        expect(records[0]).toMatchObject({ status: 'error', error: { type: 'upstream_unreachable', httpStatus: 502 } })
        expect(errors[0]).toMatchObject({ code: 'UPSTREAM_ERROR' })
      } finally {
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
        await proxy.close()
      }
    })

    it('counts a failing onRecord without touching the response', async () => {
      // A sink that throws: the client must not notice.
      const proxy = createProxy({
        upstreams: { openai: h.openai.url },
        onRecord: () => {
          throw new Error('sink down')
        },
      })
      const server = createServer(proxy)
      if (via === 'socket') proxy.attach(server)
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      try {
        const c = new OpenAI({ apiKey: SECRET, baseURL: `${base}/proxy/openai/v1`, maxRetries: 0 })
        const r = await c.chat.completions.create({ model: 'gpt-4o', messages: user })
        expect(r.choices).toHaveLength(1)
        await expect.poll(() => proxy.stats.recordErrors, { interval: 5 }).toBe(1)
      } finally {
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
        await proxy.close()
      }
    })
  })

  describe('proxy · limits', () => {
    it('answers 413 in the provider shape for a body over maxRequestBytes and forwards nothing', async () => {
      const small = await startProxyHarness({ maxRequestBytes: 64 }, via)
      try {
        const res = await fetch(`${small.url}/proxy/anthropic/v1/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'x'.repeat(500) }] }),
        })
        expect(res.status).toBe(413)
        expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'request_too_large' } })
        expect(small.anthropic.requests).toHaveLength(0)
      } finally {
        await small.close()
      }
    })
  })
})
