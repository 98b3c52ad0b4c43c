import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FakeUpstream, startFakeOpenAI } from '../../../../test-support/fake-upstreams/index.js'
import { loadConfig } from '../config.js'
import { type RunningServer, startServer } from '../start-server.js'
import { ApiKeyStore } from './api-key-store.js'
import { AuditTrail } from './audit-trail.js'

// The collector's edges where a request is not what it claims: a browser page on another origin reaching a keyless
// collector, a collector key sent where the provider's belongs, a key set emptied on an exposed server, headers the
// record cannot hold, and a second collector on one data dir.

interface Answer {
  status: number
  body: string
}

/** One HTTP/1.1 request with the headers exactly as given (fetch would set Host and refuse Expect). */
function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        text += c
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    req.on('error', reject)
    if (body === undefined) req.end()
    else if (headers['expect'] === '100-continue') req.on('continue', () => req.end(body))
    else req.end(body)
  })
}

const chat = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
const json = { 'content-type': 'application/json' }

describe('keyless collector', () => {
  let dir: string
  let server: RunningServer
  let upstream: FakeUpstream

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pl-harden-'))
    upstream = await startFakeOpenAI()
    server = await startServer(loadConfig({ flags: { port: '0', data: dir, openaiUpstream: upstream.url }, env: {} }))
  })
  afterAll(async () => {
    await server?.close()
    await upstream?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves requests to a loopback name only, and from loopback origins only (DNS rebinding)', async () => {
    const port = server.port
    const ok = await send(`${server.url}/v1/records`, 'GET', { host: `localhost:${port}` })
    expect(ok.status).toBe(200)
    expect((await send(`${server.url}/v1/records`, 'GET', { host: `[::1]:${port}` })).status).toBe(200)
    const rebound = await send(`${server.url}/v1/keys`, 'POST', { ...json, host: `attacker.example:${port}` }, '{}')
    expect(rebound.status).toBe(401)
    expect(JSON.parse(rebound.body).error.message).toMatch(/loopback host name/)
    const page = await send(`${server.url}/v1/records`, 'GET', {
      host: `127.0.0.1:${port}`,
      origin: 'http://attacker.example',
    })
    expect(page.status).toBe(401)
    const local = await send(`${server.url}/v1/records`, 'GET', { origin: `http://localhost:${port}` })
    expect(local.status).toBe(200)
    // The proxy decides alike, before anything goes upstream.
    const before = upstream.requests.length
    const proxied = await send(
      `${server.url}/proxy/openai/v1/chat/completions`,
      'POST',
      { ...json, host: 'attacker.example', authorization: 'Bearer sk-provider' },
      chat,
    )
    expect(proxied.status).toBe(401)
    expect(upstream.requests.length).toBe(before)
  })

  it('passes a body sent with Expect: 100-continue, and answers tag headers a record cannot hold with 400', async () => {
    const expect100 = await send(
      `${server.url}/proxy/openai/v1/chat/completions`,
      'POST',
      { ...json, expect: '100-continue', authorization: 'Bearer sk-provider' },
      chat,
    )
    expect(expect100.status).toBe(200)
    expect(upstream.requests.at(-1)?.headers['expect']).toBeUndefined()
    const before = upstream.requests.length
    const long = await send(
      `${server.url}/proxy/openai/v1/chat/completions`,
      'POST',
      { ...json, authorization: 'Bearer sk-provider', 'x-promptledger-user': 'u'.repeat(2000) },
      chat,
    )
    expect(long.status).toBe(400)
    expect(long.body).toContain('x-promptledger-user')
    const tags = Array.from({ length: 100 }, (_, i) => `t${i}`).join(',')
    const many = await send(
      `${server.url}/proxy/openai/v1/chat/completions`,
      'POST',
      { ...json, authorization: 'Bearer sk-provider', 'x-promptledger-tags': tags },
      chat,
    )
    expect(many.status).toBe(400)
    expect(many.body).toContain('x-promptledger-tags')
    expect(upstream.requests.length).toBe(before)
  })

  it('refuses time bounds that are not ISO-8601 dates, naming the field', async () => {
    for (const from of ['1', 'Feb 30 2026', '2026-02-30', '2026-11-28T25:00:00Z']) {
      const res = await fetch(`${server.url}/v1/records?from=${encodeURIComponent(from)}`)
      expect(res.status, from).toBe(400)
      expect(JSON.stringify(await res.json())).toContain('from')
    }
    for (const from of ['2026-11-28', '2026-11-28T10:00:00Z', '2026-11-28T10:00:00.123+01:00']) {
      expect((await fetch(`${server.url}/v1/records?from=${encodeURIComponent(from)}`)).status, from).toBe(200)
    }
  })

  it('audits a stats query that searches content, keeping the words only as a keyed digest', async () => {
    const res = await fetch(`${server.url}/v1/stats?q=kenobi&group_by=user_id`)
    expect(res.status).toBe(200)
    const audit = AuditTrail.open({ dir })
    try {
      const entry = audit.list({ action: 'read.search' }).at(-1)
      expect(entry?.route).toBe('GET /v1/stats')
      expect(JSON.stringify(entry)).not.toContain('kenobi')
      expect(entry?.filter).toHaveProperty('q_hmac')
    } finally {
      audit.close()
    }
  })

  it('refuses a second collector on the same SQLite data dir, naming the one running', async () => {
    const second = startServer(loadConfig({ flags: { port: '0', data: dir }, env: {} }))
    await expect(second).rejects.toMatchObject({ code: 'CONFIG_INVALID', path: 'data' })
    await expect(second).rejects.toThrow(server.url)
  })
})

describe('collector with keys', () => {
  let dir: string
  let server: RunningServer
  let upstream: FakeUpstream
  let ingestKey: string

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pl-harden-'))
    const keys = ApiKeyStore.open({ dir })
    ingestKey = keys.create({ role: 'ingest', name: 'app' }).key
    keys.create({ role: 'admin', name: 'ops' })
    keys.close()
    upstream = await startFakeOpenAI()
    // Beyond loopback: it starts because keys exist.
    server = await startServer(
      loadConfig({ flags: { port: '0', host: '0.0.0.0', data: dir, openaiUpstream: upstream.url }, env: {} }),
    )
  })
  afterAll(async () => {
    await server?.close()
    await upstream?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const local = () => `http://127.0.0.1:${server.port}`

  it('never forwards a collector key sent in Authorization; x-promptledger-key carries it', async () => {
    const before = upstream.requests.length
    const wrong = await send(
      `${local()}/proxy/openai/v1/chat/completions`,
      'POST',
      { ...json, authorization: `Bearer ${ingestKey}` },
      chat,
    )
    expect(wrong.status).toBe(401)
    expect(wrong.body).toContain('x-promptledger-key')
    expect(wrong.body).not.toContain(ingestKey)
    expect(upstream.requests.length).toBe(before)
    const right = await send(
      `${local()}/proxy/openai/v1/chat/completions`,
      'POST',
      { ...json, authorization: 'Bearer sk-provider', 'x-promptledger-key': ingestKey },
      chat,
    )
    expect(right.status).toBe(200)
    expect(upstream.requests.at(-1)?.headers['authorization']).toBe('Bearer sk-provider')
  })

  it('takes the Bearer scheme in any case', async () => {
    expect(
      (await send(`${local()}/v1/records`, 'POST', { ...json, authorization: `bearer ${ingestKey}` }, '[]')).status,
    ).not.toBe(401)
  })

  it('stays locked when its last key is revoked: no keyless mode for a server beyond loopback', async () => {
    const keys = ApiKeyStore.open({ dir })
    try {
      keys.revoke('app')
      keys.revoke('ops')
    } finally {
      keys.close()
    }
    const open = await send(`${local()}/v1/keys`, 'GET', {})
    expect(open.status).toBe(401)
    const proxied = await send(
      `${local()}/proxy/openai/v1/chat/completions`,
      'POST',
      { ...json, authorization: 'Bearer sk-provider' },
      chat,
    )
    expect(proxied.status).toBe(401)
  })
})
