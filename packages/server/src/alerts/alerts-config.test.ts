import { describe, expect, it } from 'vitest'
import { ServerError } from '../errors.js'
import { parseAlertsConfig } from './alerts-config.js'
import { resolveRules } from './rules.js'

function errorOf(section: unknown, envWebhook?: string): ServerError {
  try {
    parseAlertsConfig(section, { envWebhook })
  } catch (err) {
    expect(err).toBeInstanceOf(ServerError)
    return err as ServerError
  }
  throw new Error('expected a config error')
}

describe('alerts config', () => {
  it('defaults to the specification table', () => {
    const rules = resolveRules(parseAlertsConfig(undefined).rules)
    const table = Object.fromEntries(rules.map((r) => [r.name, [r.enabled, r.threshold, r.windowSeconds, r.scope]]))
    expect(table).toEqual({
      error_rate: [true, 0.01, 300, 'global'],
      error_rate_daily: [true, 0.01, 86400, 'global'],
      response_length: [true, 0.2, 3600, 'global'],
      pii_leak: [true, 0, 300, 'global'],
      latency_p95: [true, 5000, 300, 'global'],
      uncertainty: [true, 10, 3600, 'global'],
      injection: [false, 0.75, 300, 'global'],
      cost_daily: [false, null, 86400, 'app'],
    })
  })

  it('overlays the file and turns cost on once a budget is set', () => {
    const config = parseAlertsConfig({
      intervalSeconds: 5,
      rules: { latency_p95: { threshold: 2000, scope: 'model', where: { app: 'web' } }, cost_daily: { threshold: 20 } },
    })
    const rules = resolveRules(config.rules)
    expect(config.intervalSeconds).toBe(5)
    expect(rules.find((r) => r.name === 'latency_p95')).toMatchObject({
      threshold: 2000,
      scope: 'model',
      where: { app: 'web' },
    })
    expect(rules.find((r) => r.name === 'cost_daily')).toMatchObject({ enabled: true, threshold: 20 })
  })

  it.each([
    [{ rules: { latency_p95: { treshold: 1 } } }, 'alerts.rules.latency_p95.treshold'],
    [{ rules: { eror_rate: {} } }, 'alerts.rules.eror_rate'],
    [{ rules: { error_rate: { threshold: -1 } } }, 'alerts.rules.error_rate.threshold'],
    [{ rules: { uncertainty: { scope: 'team' } } }, 'alerts.rules.uncertainty.scope'],
    [{ rules: { cost_daily: { enabled: true } } }, 'alerts.rules.cost_daily.threshold'],
    [{ intervalSeconds: 'often' }, 'alerts.intervalSeconds'],
    [{ notifiers: [{ type: 'webhook', url: 'ftp://x' }] }, 'alerts.notifiers.0.url'],
    [{ notifiers: [{ type: 'pager' }] }, 'alerts.notifiers.0.type'],
    [{ notifiers: [{ type: 'stdout', url: 'http://x' }] }, 'alerts.notifiers.0.url'],
    [{ rulez: {} }, 'alerts.rulez'],
  ])('names the bad key in %j', (section, path) => {
    const err = errorOf(section)
    expect(err.code).toBe('CONFIG_INVALID')
    expect(err.path).toBe(path)
    expect(err.message).toContain(path)
  })

  it('adds the PROMPTLEDGER_ALERT_WEBHOOK webhook and names the variable when it is not a URL', () => {
    const config = parseAlertsConfig({}, { envWebhook: 'http://127.0.0.1:9/hook' })
    expect(config.notifiers).toEqual([
      { type: 'webhook', url: 'http://127.0.0.1:9/hook', timeoutMs: 5000, retries: 3, backoffMs: 500 },
    ])
    expect(errorOf({}, 'not a url').path).toBe('PROMPTLEDGER_ALERT_WEBHOOK')
  })
})
