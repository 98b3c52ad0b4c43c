import type { LedgerRecord } from '@promptledger/sdk'
import type { FastifyInstance } from 'fastify'
import type { AppOptions } from '../app.js'
import { registerAlertMetrics } from '../metrics/alert-metrics.js'
import type { Storage } from '../storage/storage.js'
import { alertRoutes } from './alert-routes.js'
import { type Alerting, type AlertingOptions, createAlerting } from './alerting.js'
import type { AlertsConfig } from './alerts-config.js'

export interface AlertsAreaOptions extends Pick<AlertingOptions, 'notifiers' | 'now'> {
  config: AlertsConfig
  storage: Storage
  dataDir: string
  /** Where evaluation and delivery failures are reported (the server's logger). */
  onError?: (what: string, error: unknown) => void
}

export interface AlertsArea {
  alerting: Alerting
  /** Options for `createApp`: the routes and the plugin that starts, stops and measures alerting. */
  appOptions(): Pick<AppOptions, 'plugins' | 'routes'>
}

function leaksPii(record: LedgerRecord): boolean {
  const counts = record.signals?.pii_in_response
  if (!counts) return false
  for (const n of Object.values(counts)) if (n > 0) return true
  return false
}

/**
 * Alerting for one collector: evaluation starts when the app is ready and stops when it closes;
 * a stored batch with PII in a response triggers a cycle at once instead of at the next interval.
 *
 * @example
 * const alerts = openAlertsArea({ config: config.alerts, storage, dataDir: config.data })
 * const app = await createApp({ storage, stream, ...alerts.appOptions() })
 */
export function openAlertsArea(options: AlertsAreaOptions): AlertsArea {
  let dropped: ((notifier: string) => void) | undefined
  const alerting = createAlerting({
    config: options.config,
    storage: options.storage,
    dataDir: options.dataDir,
    ...(options.notifiers ? { notifiers: options.notifiers } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
    onDrop: (notifier) => dropped?.(notifier),
  })
  const plugin = (app: FastifyInstance) => {
    registerAlertMetrics(app.serverMetrics.registry, alerting)
    dropped = () => app.serverMetrics.queueDropped.inc({ queue: 'alert_notifications' })
    app.ingest.on('records', (batch) => {
      alerting.evaluator.recordsStored(batch.map((r) => Date.parse(r.ts)))
      if (batch.some(leaksPii)) alerting.evaluator.nudge()
    })
    app.addHook('onReady', async () => alerting.start())
    app.addHook('onClose', async () => alerting.close())
  }
  return { alerting, appOptions: () => ({ plugins: [plugin], routes: alertRoutes(alerting) }) }
}
