import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Fastify from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ApiKeyStore } from './api-key-store.js'
import { createAuthHook } from './auth-hook.js'
import { checkListenHost } from './loopback.js'
import type { RouteAccess } from './roles.js'

let dir: string
let keys: ApiKeyStore
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pl-'))
  keys = ApiKeyStore.open({ dir })
})
afterEach(() => {
  keys.close()
  rmSync(dir, { recursive: true, force: true })
})

function app() {
  const server = Fastify()
  server.addHook(
    'onRequest',
    createAuthHook({ keys, accessOf: (req) => (req.routeOptions.config as { access?: RouteAccess }).access }),
  )
  const who = (req: { principal?: unknown }) => ({ principal: req.principal ?? null })
  server.get('/healthz', { config: { access: 'public' } }, async () => ({ ok: true }))
  server.get('/v1/records', { config: { access: 'viewer' } }, async (req) => who(req))
  server.post('/proxy/x', { config: { access: 'ingest' } }, async (req) => ({
    ...who(req),
    auth: req.headers.authorization,
  }))
  server.get('/undecided', async () => ({ open: true }))
  return server
}

describe('auth hook', () => {
  it('serves loopback clients as local when no key exists, and refuses others', async () => {
    const server = app()
    const local = await server.inject({ url: '/v1/records' })
    expect(local.json()).toEqual({ principal: { id: 'local', name: 'local', role: 'admin' } })
    const remote = await server.inject({ url: '/v1/records', remoteAddress: '10.0.0.8' })
    expect(remote.statusCode).toBe(401)
    expect(remote.json().error.code).toBe('UNAUTHORIZED')
  })

  it('enforces keys, roles and revocation once a key exists', async () => {
    const server = app()
    const viewer = keys.create({ role: 'viewer', name: 'v' })
    const ingest = keys.create({ role: 'ingest', name: 'i' })
    const get = (key?: string) =>
      server.inject({ url: '/v1/records', headers: key ? { authorization: `Bearer ${key}` } : {} })
    expect((await get()).statusCode).toBe(401)
    expect((await get('pl_view_nope')).statusCode).toBe(401)
    expect((await get(ingest.key)).statusCode).toBe(403)
    const ok = await get(viewer.key)
    expect(ok.json().principal).toEqual({ id: viewer.info.id, name: 'v', role: 'viewer' })
    keys.revoke(viewer.info.id)
    const revoked = await get(viewer.key)
    expect(revoked.statusCode).toBe(401)
    expect(revoked.json().error.message).toBe('API key revoked')
    expect(revoked.body).not.toContain(viewer.key)
    expect((await server.inject({ url: '/healthz' })).statusCode).toBe(200)
  })

  it('lets the provider Authorization pass through when x-promptledger-key is used', async () => {
    const server = app()
    const ingest = keys.create({ role: 'ingest', name: 'i' })
    const res = await server.inject({
      method: 'POST',
      url: '/proxy/x',
      headers: { 'x-promptledger-key': ingest.key, authorization: 'Bearer sk-provider' },
    })
    expect(res.json()).toMatchObject({ principal: { role: 'ingest' }, auth: 'Bearer sk-provider' })
  })

  it('fails closed on a route without a decision and hides 404s from keyless callers', async () => {
    const server = app()
    keys.create({ role: 'admin', name: 'a' })
    expect((await server.inject({ url: '/undecided' })).statusCode).toBe(403)
    expect((await server.inject({ url: '/nowhere' })).statusCode).toBe(401)
  })
})

describe('checkListenHost', () => {
  it('refuses a non-loopback host until keys exist', () => {
    expect(checkListenHost('127.0.0.1', false)).toMatch(/loopback clients only/)
    expect(() => checkListenHost('0.0.0.0', false)).toThrow(/^host: refusing to listen on 0.0.0.0/)
    expect(checkListenHost('0.0.0.0', true)).toMatch(/API keys required/)
  })
})
