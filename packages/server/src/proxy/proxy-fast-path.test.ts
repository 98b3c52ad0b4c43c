import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FakeUpstream, startFakeOpenAI } from '../../../../test-support/fake-upstreams/index.js'
import { ApiKeyStore } from '../auth/api-key-store.js'
import { loadConfig } from '../config.js'
import { type RunningServer, startServer } from '../start-server.js'

// The collector answers proxied calls ahead of Fastify; these check that the auth decision still holds there, with
// keys configured, and that the rest of the API is still served by Fastify on the same port.

let dir: string
let oa: FakeUpstream
let server: RunningServer
const key = {} as { ingest: string; revoked: string }
const BODY = JSON.stringify({ model: 'fake-echo', messages: [{ role: 'user', content: 'hi' }] })

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pl-'))
  const keys = ApiKeyStore.open({ dir })
  key.ingest = keys.create({ role: 'ingest', name: 'app' }).key
  key.revoked = keys.create({ role: 'admin', name: 'gone' }).key
  keys.close()
  oa = await startFakeOpenAI()
  server = await startServer(loadConfig({ flags: { port: 0, data: dir, openaiUpstream: oa.url }, env: {} }))
})

afterAll(async () => {
  await server.close()
  await oa.close()
  rmSync(dir, { recursive: true, force: true })
})

const post = (headers: Record<string, string>) =>
  fetch(`${server.url}/proxy/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-provider', ...headers },
    body: BODY,
  })

describe('proxy fast path', () => {
  it('refuses a call without a valid collector key and never forwards it', async () => {
    const before = oa.requests.length
    const none = await post({})
    expect(none.status).toBe(401)
    expect(none.headers.get('cache-control')).toBe('no-store')
    expect(await none.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } })
    expect((await post({ 'x-promptledger-key': 'pl_adm_not-a-real-key' })).status).toBe(401)
    const ks = ApiKeyStore.open({ dir })
    ks.revoke('gone')
    ks.close()
    const revoked = await post({ 'x-promptledger-key': key.revoked })
    expect(revoked.status).toBe(401)
    expect(await revoked.json()).toMatchObject({ error: { message: 'API key revoked' } })
    expect(oa.requests.length).toBe(before)
  })

  it('forwards a call with an ingest key, without the key, and leaves other routes to the API', async () => {
    const res = await post({ 'x-promptledger-key': key.ingest })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ object: 'chat.completion' })
    const sent = oa.requests.at(-1)!
    expect(JSON.stringify(sent.headers)).not.toContain(key.ingest)
    expect(sent.headers.authorization).toBe('Bearer sk-provider')
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    // Not a proxy route: Fastify answers, and the auth hook still runs first.
    expect((await fetch(`${server.url}/proxy/nope/v1/x`, { method: 'POST' })).status).toBe(401)
  })
})
