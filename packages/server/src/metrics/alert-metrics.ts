import { Counter, Gauge, type Registry } from 'prom-client'
import type { Alerting } from '../alerts/alerting.js'

/**
 * Alerting's metrics, read from its state at scrape time (no bookkeeping on the evaluation path):
 * open alerts per rule, notification outcomes per notifier, evaluation duration and errors.
 *
 * @example
 * registerAlertMetrics(metrics.registry, alerting)
 */
export function registerAlertMetrics(registry: Registry, alerting: Alerting): void {
  const registers = [registry]
  new Gauge({
    name: 'promptledger_alerts_open',
    help: 'Open alerts per rule (shared by every collector over the same alert state)',
    labelNames: ['rule'],
    registers,
    collect() {
      this.reset()
      const counts = alerting.state.openCounts()
      for (const rule of alerting.rules) this.set({ rule: rule.name }, counts.get(rule.name) ?? 0)
    },
  })
  // Counters mirrored from the dispatcher's own counts: add what grew since the last scrape.
  const last = new Map<string, number>()
  new Counter({
    name: 'promptledger_alert_notifications_total',
    help: 'Alert notifications by notifier and result (sent, failed after retries, dropped by a full queue)',
    labelNames: ['notifier', 'result'],
    registers,
    collect() {
      for (const [notifier, counts] of Object.entries(alerting.dispatcher.counts())) {
        for (const result of ['sent', 'failed', 'dropped'] as const) {
          const key = `${notifier}\u0000${result}`
          const delta = counts[result] - (last.get(key) ?? 0)
          if (delta > 0) this.inc({ notifier, result }, delta)
          last.set(key, counts[result])
        }
      }
    },
  })
  new Gauge({
    name: 'promptledger_alert_evaluation_seconds',
    help: 'Duration of the last alert evaluation cycle',
    registers,
    collect() {
      this.set(alerting.evaluator.stats.lastDurationMs / 1000)
    },
  })
  let lastErrors = 0
  new Counter({
    name: 'promptledger_alert_evaluation_errors_total',
    help: 'Rule evaluations that failed (the store could not answer)',
    registers,
    collect() {
      const errors = alerting.evaluator.stats.errors
      if (errors > lastErrors) this.inc(errors - lastErrors)
      lastErrors = errors
    },
  })
}
