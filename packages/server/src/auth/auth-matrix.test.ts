import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dashboardRoutes } from '../api/routes/dashboard-routes.js'
import { loadConfig } from '../config.js'
import { type RunningServer, startServer } from '../start-server.js'
import { ApiKeyStore } from './api-key-store.js'
import { allows, ROLES, type Role } from './roles.js'

// The matrix is generated from the routes the running server registered (route table and proxy
// mounts alike), so a new route cannot ship without an access decision and a row here.

let dir: string
let server: RunningServer
const keyOf = {} as Record<Role | 'revoked', string>

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pl-'))
  const keys = ApiKeyStore.open({ dir })
  for (const role of ROLES) keyOf[role] = keys.create({ role, name: role }).key
  keyOf.revoked = keys.create({ role: 'admin', name: 'gone' }).key
  keys.revoke('gone')
  keys.close()
  const stub = (_req: unknown, res: { end(body: string): void }) => res.end('proxied')
  server = await startServer(loadConfig({ flags: { port: 0, data: dir }, env: {} }), {
    proxy: { openai: stub as never, anthropic: stub as never },
  })
})

afterAll(async () => {
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

const sample = (url: string) =>
  url.replace(/:[a-z_]+/g, '0190a0b0-0000-7000-8000-000000000000').replace('*', 'chat/completions')

async function call(method: string, url: string, headers: Record<string, string>): Promise<number> {
  const controller = new AbortController()
  const body = ['POST', 'PUT', 'PATCH'].includes(method) ? '{}' : undefined
  const res = await fetch(`${server.url}${sample(url)}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body ? { body } : {}),
    signal: controller.signal,
  })
  // Streaming routes never end; the status is all the matrix needs.
  controller.abort()
  return res.status
}

describe('auth matrix', () => {
  it('every registered route declares an access decision and the route table is all registered', () => {
    const routes = server.app.registeredRoutes
    expect(routes.length).toBeGreaterThan(10)
    expect(routes.filter((r) => r.role === undefined)).toEqual([])
    for (const def of server.app.routeTable) {
      expect(routes).toContainEqual({ method: def.method, url: def.url, role: def.role })
    }
    // The rule: 401 without a valid key on every route but /healthz. The dashboard's static files are the
    // one exception: a browser must load the page before it can send a key, and they hold no data.
    const dashboardFiles = dashboardRoutes().map((r) => r.url)
    expect(new Set(routes.filter((r) => r.role === 'public').map((r) => r.url))).toEqual(
      new Set(['/healthz', ...dashboardFiles]),
    )
  })

  it('answers every route × no key / bad key / revoked key / each role as declared', async () => {
    const failures: string[] = []
    const routes = server.app.registeredRoutes.filter((r) => r.method !== 'HEAD')
    for (const route of routes) {
      const name = `${route.method} ${route.url} (${route.role})`
      const cases: Array<[string, Record<string, string>, 'ok' | 401 | 403]> = [
        ['no key', {}, route.role === 'public' ? 'ok' : 401],
        ['bad key', { authorization: 'Bearer pl_adm_not-a-real-key' }, route.role === 'public' ? 'ok' : 401],
        ['revoked key', { authorization: `Bearer ${keyOf.revoked}` }, route.role === 'public' ? 'ok' : 401],
        ...ROLES.map((role): [string, Record<string, string>, 'ok' | 403] => [
          role,
          route.url.startsWith('/proxy/')
            ? { 'x-promptledger-key': keyOf[role], authorization: 'Bearer sk-provider' }
            : { authorization: `Bearer ${keyOf[role]}` },
          allows(role, route.role!) ? 'ok' : 403,
        ]),
      ]
      for (const [label, headers, want] of cases) {
        const status = await call(route.method, route.url, headers)
        const got = status === 401 || status === 403 ? status : 'ok'
        if (got !== want) failures.push(`${name} with ${label}: expected ${want}, got ${status}`)
      }
    }
    expect(failures).toEqual([])
  })
})
