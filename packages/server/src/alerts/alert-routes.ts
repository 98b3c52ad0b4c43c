import { z } from 'zod'
import { parseQuery } from '../api/query-schema.js'
import type { RouteDef } from '../api/route-table.js'
import type { Alerting } from './alerting.js'

const alertsQuerySchema = z.strictObject({
  /** Resolved alerts to return, newest first. */
  limit: z.coerce.number().int().min(0).max(1000).default(100),
})

/**
 * `GET /v1/alerts` (open alerts and history) and `GET /v1/alerts/rules` (the rules in force), both for
 * viewers. Read from the shared alert state, so every collector answers the same.
 */
export function alertRoutes(alerting: Alerting): RouteDef[] {
  return [
    {
      method: 'GET',
      url: '/v1/alerts',
      role: 'viewer',
      summary: 'Open alerts and resolved history (newest first; ?limit= for history)',
      async handler(request) {
        const query = parseQuery(alertsQuerySchema, request.query)
        return { open: alerting.state.listOpen(), history: alerting.state.history(query.limit) }
      },
    },
    {
      method: 'GET',
      url: '/v1/alerts/rules',
      role: 'viewer',
      summary: 'Alert rules in force with thresholds, windows and scopes, and the notifiers',
      async handler() {
        return {
          enabled: alerting.enabled,
          interval_seconds: alerting.intervalSeconds,
          rules: alerting.rules,
          // Names carry only the type and host: webhook URLs often hold secrets.
          notifiers: alerting.dispatcher.notifierNames,
        }
      },
    },
  ]
}
