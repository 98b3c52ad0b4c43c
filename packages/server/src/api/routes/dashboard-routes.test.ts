import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dashboardContentSecurityPolicy } from '@promptledger/dashboard'
import { afterAll, describe, expect, it } from 'vitest'
import { createApp } from '../../app.js'
import { openSqliteStorage } from '../../storage/sqlite/sqlite-storage.js'
import { dashboardRoutes } from './dashboard-routes.js'

describe('dashboard routes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-'))
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>')
  writeFileSync(join(dir, 'app.js'), 'console.log(1)')
  writeFileSync(join(dir, 'app.css'), 'body{}')
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const app = async (routesDir: string) => {
    const storage = openSqliteStorage({ path: ':memory:' })
    const a = await createApp({ storage, stream: 'dash-test', routes: dashboardRoutes({ dir: routesDir }) })
    a.addHook('onClose', () => storage.close())
    return a
  }

  it('serves the page, script and stylesheet publicly with a strict CSP', async () => {
    const a = await app(dir)
    for (const [url, type, body] of [
      ['/', 'text/html', '<!doctype html><title>t</title>'],
      ['/index.html', 'text/html', '<!doctype html><title>t</title>'],
      ['/app.js', 'text/javascript', 'console.log(1)'],
      ['/app.css', 'text/css', 'body{}'],
    ] as const) {
      const res = await a.inject({ method: 'GET', url })
      expect(res.statusCode, url).toBe(200)
      expect(res.headers['content-type']).toContain(type)
      expect(res.headers['content-security-policy']).toBe(dashboardContentSecurityPolicy)
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      expect(res.body).toBe(body)
    }
    expect(a.routeTable.filter((r) => r.summary.startsWith('Dashboard')).every((r) => r.role === 'public')).toBe(true)
    expect((await a.inject({ method: 'GET', url: '/app.js.map' })).statusCode).toBe(404)
    await a.close()
  })

  it('answers a clear 404 when the dashboard was not built', async () => {
    const a = await app(join(dir, 'missing'))
    const res = await a.inject({ method: 'GET', url: '/' })
    expect(res.statusCode).toBe(404)
    expect(res.json().error.message).toContain('npm run build')
    await a.close()
  })
})
