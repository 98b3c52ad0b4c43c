import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { UnsealedRecord } from '@promptledger/sdk'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSqliteStorage, type SqliteStorage } from '../storage/sqlite/sqlite-storage.js'
import { sealAll, unsealed } from '../test-support/records.js'
import { type Alerting, createAlerting } from './alerting.js'
import { parseAlertsConfig } from './alerts-config.js'
import type { AlertEvent } from './notifier.js'
import { WebhookReceiver } from './test-support/webhook-receiver.js'

const NOW = new Date('2026-03-10T12:30:00.000Z')
const minutesAgo = (m: number, from = NOW) => new Date(from.getTime() - m * 60_000).toISOString()

/** `n` ordinary records spread over the last `spanMinutes` minutes; `patch(i)` makes some of them bad. */
function traffic(n: number, spanMinutes: number, patch: (i: number) => Partial<UnsealedRecord> = () => ({})) {
  return Array.from({ length: n }, (_, i) => unsealed({ ts: minutesAgo((spanMinutes * (i + 0.5)) / n), ...patch(i) }))
}

/** Seven days of baseline at this hour of day, answers of `chars` characters. */
function baseline(chars: number): UnsealedRecord[] {
  const out: UnsealedRecord[] = []
  for (let d = 1; d <= 7; d++) {
    const dayNow = new Date(NOW.getTime() - d * 86_400_000)
    for (let i = 0; i < 10; i++) {
      out.push(unsealed({ ts: minutesAgo(5 + i * 5, dayNow), response: { output: 'x'.repeat(chars) } }))
    }
  }
  return out
}

let dir: string
let storage: SqliteStorage
let receiver: WebhookReceiver
let alerting: Alerting

async function setup(rules: Record<string, unknown> = {}, records: UnsealedRecord[] = []): Promise<void> {
  storage = openSqliteStorage({ path: join(dir, 'ledger.db') })
  if (records.length) await storage.append(sealAll(records))
  const config = parseAlertsConfig({
    intervalSeconds: 1,
    notifiers: [{ type: 'webhook', url: receiver.url, retries: 0 }],
    rules,
  })
  alerting = createAlerting({ config, storage, dataDir: dir, now: () => NOW })
}

async function cycle(): Promise<AlertEvent[]> {
  const before = receiver.bodies.length
  await alerting.evaluator.runOnce()
  await alerting.dispatcher.idle()
  return receiver.bodies.slice(before) as AlertEvent[]
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pl-'))
  receiver = await new WebhookReceiver().start()
})

afterEach(async () => {
  await alerting?.close()
  await storage?.close()
  await receiver.close()
  rmSync(dir, { recursive: true, force: true })
})

const length = (chars: number) => () => ({ response: { output: 'x'.repeat(chars) } })

/** For each rule: traffic that breaks it and traffic just inside its threshold, plus any config it needs. */
const cases: Array<{
  rule: string
  config?: Record<string, unknown>
  breaks: () => UnsealedRecord[]
  quiet: () => UnsealedRecord[]
  scope?: Record<string, string>
}> = [
  {
    rule: 'error_rate',
    // A day of healthy traffic before the burst keeps the daily rate under 1 %.
    breaks: () => [...traffic(300, 20 * 60), ...traffic(100, 4, (i) => (i < 2 ? { status: 'error' } : {}))],
    quiet: () => traffic(100, 4, (i) => (i < 1 ? { status: 'error' } : {})),
  },
  {
    rule: 'error_rate_daily',
    breaks: () => [
      ...traffic(200, 20),
      ...traffic(100, 20 * 60, (i) => (i < 5 ? { status: 'error', ts: minutesAgo(60 * (i + 2)) } : {})),
    ],
    quiet: () => [
      ...traffic(200, 20),
      ...traffic(100, 20 * 60, (i) => (i < 2 ? { status: 'error', ts: minutesAgo(60 * (i + 2)) } : {})),
    ],
  },
  {
    rule: 'response_length',
    breaks: () => [...baseline(100), ...traffic(20, 50, length(130))],
    quiet: () => [...baseline(100), ...traffic(20, 50, length(115))],
  },
  {
    rule: 'pii_leak',
    breaks: () => traffic(50, 4, (i) => (i === 7 ? { signals: { pii_in_response: { EMAIL_ADDRESS: 1 } } } : {})),
    quiet: () => traffic(50, 4, () => ({ signals: { pii_in_response: {} } })),
  },
  {
    rule: 'latency_p95',
    breaks: () => traffic(100, 4, (i) => (i < 10 ? { latency_ms: 8000 } : {})),
    quiet: () => traffic(100, 4, (i) => (i < 4 ? { latency_ms: 8000 } : { latency_ms: 4900 })),
  },
  {
    rule: 'uncertainty',
    breaks: () => traffic(50, 50, (i) => (i < 11 ? { signals: { uncertainty: true } } : {})),
    quiet: () => traffic(50, 50, (i) => (i < 10 ? { signals: { uncertainty: true } } : {})),
  },
  {
    rule: 'injection',
    config: { injection: { enabled: true } },
    breaks: () => traffic(20, 4, (i) => (i === 3 ? { signals: { injection_score: 0.92 } } : {})),
    quiet: () => traffic(20, 4, (i) => (i === 3 ? { signals: { injection_score: 0.6 } } : {})),
  },
  {
    rule: 'cost_daily',
    config: { cost_daily: { threshold: 1 } },
    breaks: () => [
      ...traffic(10, 600, () => ({ cost_usd: 0.2, app: 'web' })),
      ...traffic(10, 600, () => ({ cost_usd: 0.01, app: 'api' })),
    ],
    quiet: () => traffic(10, 600, () => ({ cost_usd: 0.09, app: 'web' })),
    scope: { app: 'web' },
  },
]

describe('default rules, delivered to a webhook on loopback', () => {
  it.each(cases)('$rule fires on traffic that breaks it', async ({ rule, config, breaks, scope }) => {
    await setup(config, breaks())
    const events = await cycle()
    expect(events.map((e) => [e.kind, e.rule])).toEqual([['firing', rule]])
    expect(events[0]!.scope).toEqual(scope ?? {})
    expect(events[0]!.message).toContain(rule)
    expect(alerting.state.listOpen().map((a) => a.rule)).toEqual([rule])
  })

  it.each(cases)('$rule stays quiet on traffic within its threshold', async ({ config, quiet }) => {
    await setup(config, quiet())
    expect(await cycle()).toEqual([])
    expect(alerting.state.listOpen()).toEqual([])
  })

  it('injection and cost rules are off by default', async () => {
    await setup(
      {},
      traffic(10, 4, () => ({ cost_usd: 100, signals: { injection_score: 1 } })),
    )
    expect(await cycle()).toEqual([])
  })

  it('keeps one open alert per rule and scope, then notifies the resolution', async () => {
    await setup(
      {},
      traffic(20, 4, (i) => (i === 0 ? { signals: { pii_in_response: { PHONE_NUMBER: 2 } } } : {})),
    )
    expect((await cycle()).map((e) => e.kind)).toEqual(['firing'])
    expect(await cycle()).toEqual([])
    expect(alerting.state.listOpen()).toHaveLength(1)
    // Ten minutes later the leak has left the 5-minute window.
    await alerting.close()
    const later = new Date(NOW.getTime() + 10 * 60_000)
    const config = parseAlertsConfig({ notifiers: [{ type: 'webhook', url: receiver.url, retries: 0 }] })
    alerting = createAlerting({ config, storage, dataDir: dir, now: () => later })
    const resolved = await cycle()
    expect(resolved.map((e) => [e.kind, e.rule])).toEqual([['resolved', 'pii_leak']])
    expect(resolved[0]!.resolvedAt).toBe(later.toISOString())
    expect(alerting.state.listOpen()).toEqual([])
    expect(alerting.state.history().map((a) => a.rule)).toEqual(['pii_leak'])
  })

  it('evaluates per scope: one alert for the model that breaks latency, none for the other', async () => {
    await setup({ latency_p95: { scope: 'model' } }, [
      ...traffic(40, 4, () => ({ latency_ms: 9000, request: { model: 'slow-model' } })),
      ...traffic(40, 4, () => ({ latency_ms: 100, request: { model: 'fast-model' } })),
    ])
    const events = await cycle()
    expect(events.map((e) => e.scope)).toEqual([{ model: 'slow-model' }])
    expect(events[0]!.value).toBe(9000)
    expect(events[0]!.threshold).toBe(5000)
  })
})
