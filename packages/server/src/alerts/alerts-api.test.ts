import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp } from '../app.js'
import { loadConfig } from '../config.js'
import { ServerError } from '../errors.js'
import { openSqliteStorage, type SqliteStorage } from '../storage/sqlite/sqlite-storage.js'
import { unsealed } from '../test-support/records.js'
import { postRecords } from '../test-support/test-app.js'
import { type AlertsArea, openAlertsArea } from './alerts-area.js'
import { parseAlertsConfig } from './alerts-config.js'
import type { AlertEvent } from './notifier.js'
import { WebhookReceiver } from './test-support/webhook-receiver.js'

let dir: string
const cleanup: Array<() => Promise<void> | void> = []

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pl-'))
})
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
  rmSync(dir, { recursive: true, force: true })
})

async function receiver(options?: ConstructorParameters<typeof WebhookReceiver>[0]) {
  const r = await new WebhookReceiver(options).start()
  cleanup.push(() => r.close())
  return r
}

/** One collector: its own store connection and app over the shared data dir, like a second process. */
async function collector(name: string, alerts: Record<string, unknown>) {
  const storage: SqliteStorage = openSqliteStorage({ path: join(dir, 'ledger.db') })
  const area: AlertsArea = openAlertsArea({ config: parseAlertsConfig(alerts), storage, dataDir: dir })
  const app: FastifyInstance = await createApp({ storage, stream: `collector-${name}`, ...area.appOptions() })
  await app.ready()
  cleanup.push(async () => {
    await app.close()
    await storage.close()
  })
  return { app, area, storage }
}

const leak = () => unsealed({ signals: { pii_in_response: { EMAIL_ADDRESS: 1 }, response_chars: 14 } })

describe('alerts in the collector', () => {
  it('two collectors over one store send one notification, not two', async () => {
    const r = await receiver()
    const config = { intervalSeconds: 0.05, notifiers: [{ type: 'webhook', url: r.url, retries: 0 }] }
    const a = await collector('a', config)
    const b = await collector('b', config)
    expect((await postRecords(a.app, [leak(), unsealed()])).statusCode).toBe(200)
    await r.waitFor(1)
    // Both keep evaluating the same store: more cycles must not produce a second notification.
    await Promise.all([a.area.alerting.evaluator.runOnce(), b.area.alerting.evaluator.runOnce()])
    await Promise.all([a.area.alerting.dispatcher.idle(), b.area.alerting.dispatcher.idle()])
    expect((r.bodies as AlertEvent[]).map((e) => `${e.kind}:${e.rule}`)).toEqual(['firing:pii_leak'])
  })

  it('a hanging notifier does not slow ingest', async () => {
    const hanging = await receiver({ hang: true })
    const { app, area } = await collector('a', {
      intervalSeconds: 3600,
      notifiers: [{ type: 'webhook', url: hanging.url, retries: 0, timeoutMs: 60_000 }],
    })
    await postRecords(app, [leak()])
    const cycle = await area.alerting.evaluator.runOnce()
    expect(cycle.fired.map((f) => f.rule)).toEqual(['pii_leak'])
    // The notification is now stuck on a receiver that never answers; ingest goes on regardless.
    const started = performance.now()
    for (let i = 0; i < 20; i++) {
      const res = await postRecords(app, [unsealed(), unsealed()])
      expect(res.statusCode).toBe(200)
    }
    await area.alerting.evaluator.runOnce()
    // Generous bound: one blocked request would take the notifier's 60 s timeout.
    expect(performance.now() - started).toBeLessThan(10_000)
    expect(hanging.requests).toBe(1)
  })

  it('serves open alerts, history and rules to viewers, and open alerts in /metrics', async () => {
    const r = await receiver()
    const { app, area } = await collector('a', { intervalSeconds: 3600, notifiers: [{ type: 'webhook', url: r.url }] })
    expect(app.routeTable.filter((x) => x.url.startsWith('/v1/alerts')).map((x) => [x.url, x.role])).toEqual([
      ['/v1/alerts', 'viewer'],
      ['/v1/alerts/rules', 'viewer'],
    ])
    await postRecords(app, [leak()])
    await area.alerting.evaluator.runOnce()
    const alerts = (await app.inject({ method: 'GET', url: '/v1/alerts' })).json()
    expect(alerts.open).toMatchObject([{ rule: 'pii_leak', state: 'open', value: 1, threshold: 0, scope: {} }])
    expect(alerts.history).toEqual([])
    const rules = (await app.inject({ method: 'GET', url: '/v1/alerts/rules' })).json()
    expect(rules.interval_seconds).toBe(3600)
    expect(rules.notifiers).toEqual([`webhook:${new URL(r.url).host}`])
    expect(rules.rules.find((x: { name: string }) => x.name === 'latency_p95')).toMatchObject({ threshold: 5000 })
    const bad = await app.inject({ method: 'GET', url: '/v1/alerts?limt=3' })
    expect(bad.statusCode).toBe(400)
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
    expect(metrics).toContain('promptledger_alerts_open{rule="pii_leak"} 1')
    expect(metrics).toContain('promptledger_alerts_open{rule="error_rate"} 0')
  })
})

describe('alerts section of the collector config', () => {
  const load = (file: unknown, env: Record<string, string> = {}) =>
    loadConfig({ flags: { config: 'pl.json' }, env, readFile: () => JSON.stringify(file) })

  it('names the bad key with its full path', () => {
    const attempt = () => load({ alerts: { rules: { latency_p95: { treshold: 3000 } } } })
    expect(attempt).toThrow(ServerError)
    expect(attempt).toThrow('alerts.rules.latency_p95.treshold')
    expect(() => load({ alerts: { notifiers: [{ type: 'webhook', url: 'nope' }] } })).toThrow('alerts.notifiers.0.url')
  })

  it('fills defaults without a section and adds PROMPTLEDGER_ALERT_WEBHOOK', () => {
    const config = load({}, { PROMPTLEDGER_ALERT_WEBHOOK: 'http://127.0.0.1:9/hook' })
    expect(config.alerts.intervalSeconds).toBe(60)
    expect(config.alerts.notifiers.map((n) => n.type)).toEqual(['webhook'])
    expect(load({ alerts: { intervalSeconds: 5 } }).alerts.intervalSeconds).toBe(5)
  })
})
