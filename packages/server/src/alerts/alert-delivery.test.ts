import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSqliteStorage, type SqliteStorage } from '../storage/sqlite/sqlite-storage.js'
import { sealAll, unsealed } from '../test-support/records.js'
import { type Alerting, createAlerting } from './alerting.js'
import { parseAlertsConfig } from './alerts-config.js'
import { NotificationDispatcher } from './notification-dispatcher.js'
import type { AlertEvent, Notifier } from './notifier.js'
import { createNotifiers } from './notifiers/create-notifiers.js'
import { RetryingNotifier } from './notifiers/retrying-notifier.js'
import type { slackBody } from './notifiers/slack-notifier.js'
import { StdoutNotifier } from './notifiers/stdout-notifier.js'
import { WebhookNotifier } from './notifiers/webhook-notifier.js'
import { WebhookReceiver } from './test-support/webhook-receiver.js'

const event: AlertEvent = {
  kind: 'firing',
  rule: 'pii_leak',
  scope: { app: 'web' },
  value: 1,
  threshold: 0,
  message: 'pii_leak: 1 > 0 over 5 min',
  startedAt: '2026-03-10T12:30:00.000Z',
}

let dir: string
let receivers: WebhookReceiver[] = []
const started: Alerting[] = []
let storage: SqliteStorage | undefined

async function receiver(options?: ConstructorParameters<typeof WebhookReceiver>[0]) {
  const r = await new WebhookReceiver(options).start()
  receivers.push(r)
  return r
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pl-'))
})

afterEach(async () => {
  for (const a of started.splice(0)) await a.close(50)
  await storage?.close()
  storage = undefined
  for (const r of receivers) await r.close()
  receivers = []
  rmSync(dir, { recursive: true, force: true })
})

describe('notifiers', () => {
  it('webhook POSTs the event as JSON', async () => {
    const r = await receiver()
    await new WebhookNotifier({ url: r.url }).notify(event)
    expect(r.bodies).toEqual([{ source: 'promptledger', ...event }])
  })

  it('slack-compatible webhook sends text and blocks', async () => {
    const r = await receiver()
    const [slack] = createNotifiers([{ type: 'slack', url: r.url, retries: 0, timeoutMs: 1000, backoffMs: 0 }])
    await slack!.notify(event)
    const body = r.bodies[0] as ReturnType<typeof slackBody>
    expect(body.text).toContain('FIRING')
    expect(body.text).toContain('pii_leak (app=web)')
    expect(body.blocks).toHaveLength(2)
  })

  it('stdout writes one JSON line', async () => {
    const lines: string[] = []
    await new StdoutNotifier({ out: { write: (l: string) => lines.push(l) } }).notify(event)
    expect(JSON.parse(lines[0]!)).toMatchObject({ kind: 'firing', rule: 'pii_leak' })
  })

  it('retries with backoff until the receiver accepts', async () => {
    const r = await receiver({ failFirst: 2 })
    const waits: number[] = []
    const n = new RetryingNotifier(new WebhookNotifier({ url: r.url }), {
      retries: 3,
      backoffMs: 100,
      sleep: async (ms) => void waits.push(ms),
    })
    await n.notify(event)
    expect(r.requests).toBe(3)
    expect(r.bodies).toHaveLength(1)
    expect(waits).toHaveLength(2)
    expect(waits[1]!).toBeGreaterThan(waits[0]! / 3) // doubled, with jitter
  })

  it('gives up after its retries and names the host, not the URL', async () => {
    const r = await receiver({ failFirst: 10 })
    const n = new RetryingNotifier(new WebhookNotifier({ url: `${r.url}?token=secret` }), { retries: 1, backoffMs: 0 })
    const err = await n.notify(event).catch((e: Error) => e)
    expect(String((err as Error).message)).toMatch(/answered HTTP 500/)
    expect(String((err as Error).message)).not.toContain('secret')
    expect(r.requests).toBe(2)
  })

  it('times out on a receiver that never answers', async () => {
    const r = await receiver({ hang: true })
    const err = await new WebhookNotifier({ url: r.url, timeoutMs: 200 }).notify(event).catch((e: Error) => e)
    expect(String((err as Error).message)).toMatch(/timed out after 200 ms/)
  })
})

describe('dispatcher', () => {
  it('never blocks the caller, drops beyond its bounded queue and counts failures', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const stuck: Notifier = { name: 'stuck', notify: () => gate.then(() => Promise.reject(new Error('down'))) }
    const failures: string[] = []
    const d = new NotificationDispatcher({ notifiers: [stuck], queueSize: 2, onFailure: (n) => failures.push(n) })
    for (let i = 0; i < 5; i++) d.send(event) // 1 in flight, 2 queued, 2 dropped
    expect(d.totals()).toEqual({ sent: 0, failed: 0, dropped: 2 })
    release()
    await d.idle()
    expect(d.totals()).toEqual({ sent: 0, failed: 3, dropped: 2 })
    expect(failures).toEqual(['stuck', 'stuck', 'stuck'])
  })
})

describe('dispatcher names', () => {
  it('keeps counts apart for two notifiers of the same name', async () => {
    const ok: Notifier = { name: 'webhook:h', notify: async () => undefined }
    const d = new NotificationDispatcher({ notifiers: [ok, { ...ok }] })
    d.send(event)
    await d.idle()
    expect(d.notifierNames).toEqual(['webhook:h', 'webhook:h#2'])
    expect(Object.keys(d.counts())).toEqual(['webhook:h', 'webhook:h#2'])
  })
})

describe('evaluation with real collectors state', () => {
  const NOW = new Date('2026-03-10T12:30:00.000Z')
  async function leakyStore(): Promise<SqliteStorage> {
    storage = openSqliteStorage({ path: join(dir, 'ledger.db') })
    await storage.append(
      sealAll([
        unsealed({ ts: '2026-03-10T12:29:00.000Z', signals: { pii_in_response: { EMAIL_ADDRESS: 1 } } }),
        unsealed({ ts: '2026-03-10T12:29:30.000Z' }),
      ]),
    )
    return storage
  }
  function collector(url: string, store: SqliteStorage, now = NOW, extra: Record<string, unknown> = {}) {
    const config = parseAlertsConfig({ notifiers: [{ type: 'webhook', url, retries: 0, timeoutMs: 300 }], ...extra })
    const a = createAlerting({ config, storage: store, dataDir: dir, now: () => now })
    started.push(a)
    return a
  }

  it('two collectors over one store send one notification, not two', async () => {
    const store = await leakyStore()
    const r = await receiver()
    const a = collector(r.url, store)
    const b = collector(r.url, store)
    await Promise.all([a.evaluator.runOnce(), b.evaluator.runOnce()])
    await Promise.all([a.evaluator.runOnce(), b.evaluator.runOnce()])
    await Promise.all([a.dispatcher.idle(), b.dispatcher.idle()])
    expect((r.bodies as AlertEvent[]).map((e) => `${e.kind}:${e.rule}`)).toEqual(['firing:pii_leak'])
    // Both see the same open alert through the shared state file.
    expect(a.state.listOpen()).toHaveLength(1)
    expect(b.state.listOpen()).toHaveLength(1)

    const later = new Date(NOW.getTime() + 10 * 60_000)
    const a2 = collector(r.url, store, later)
    const b2 = collector(r.url, store, later)
    await Promise.all([b2.evaluator.runOnce(), a2.evaluator.runOnce()])
    await Promise.all([a2.dispatcher.idle(), b2.dispatcher.idle()])
    expect((r.bodies as AlertEvent[]).map((e) => `${e.kind}:${e.rule}`)).toEqual([
      'firing:pii_leak',
      'resolved:pii_leak',
    ])
  })

  it('a hanging notifier does not slow the evaluator or the other notifiers', async () => {
    const store = await leakyStore()
    const hanging = await receiver({ hang: true })
    const healthy = await receiver()
    const config = parseAlertsConfig({
      notifiers: [
        { type: 'webhook', url: hanging.url, retries: 0, timeoutMs: 30_000 },
        { type: 'webhook', url: healthy.url, retries: 0 },
      ],
    })
    const a = createAlerting({ config, storage: store, dataDir: dir, now: () => NOW })
    started.push(a)
    const t0 = performance.now()
    const result = await a.evaluator.runOnce()
    await a.evaluator.runOnce()
    expect(result.fired).toHaveLength(1)
    await healthy.waitFor(1)
    // Generous bound: the hanging receiver would hold a blocking evaluator for 30 s.
    expect(performance.now() - t0).toBeLessThan(10_000)
    expect(hanging.requests).toBe(1)
  })

  it('keeps evaluating the other rules when the store fails for one', async () => {
    const store = await leakyStore()
    const r = await receiver()
    const errors: string[] = []
    let calls = 0
    const failing = new Proxy(store, {
      get(target, prop) {
        if (prop === 'stats') {
          return (...args: Parameters<SqliteStorage['stats']>) =>
            calls++ === 0 ? Promise.reject(new Error('disk I/O error')) : target.stats(...args)
        }
        const v = Reflect.get(target, prop, target)
        return typeof v === 'function' ? v.bind(target) : v
      },
    })
    const config = parseAlertsConfig({ notifiers: [{ type: 'webhook', url: r.url, retries: 0 }] })
    const a = createAlerting({ config, storage: failing, dataDir: dir, now: () => NOW, onError: (w) => errors.push(w) })
    started.push(a)
    const result = await a.evaluator.runOnce()
    expect(result.errors).toBe(1)
    expect(errors).toEqual(['rule error_rate'])
    expect(result.fired.map((f) => f.rule)).toEqual(['pii_leak'])
  })
})
