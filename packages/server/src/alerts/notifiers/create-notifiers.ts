import type { NotifierConfig } from '../alerts-config.js'
import type { Notifier } from '../notifier.js'
import { RetryingNotifier } from './retrying-notifier.js'
import { SlackNotifier } from './slack-notifier.js'
import { StdoutNotifier } from './stdout-notifier.js'
import { WebhookNotifier } from './webhook-notifier.js'

function createNotifier(c: NotifierConfig): Notifier {
  if (c.type === 'stdout') return new StdoutNotifier()
  const inner =
    c.type === 'slack'
      ? new SlackNotifier({ url: c.url, timeoutMs: c.timeoutMs })
      : new WebhookNotifier({ url: c.url, timeoutMs: c.timeoutMs, ...(c.headers ? { headers: c.headers } : {}) })
  return new RetryingNotifier(inner, { retries: c.retries, backoffMs: c.backoffMs })
}

/**
 * Builds the notifiers of the config file's `alerts.notifiers`, each HTTP one wrapped with its retries.
 *
 * @example
 * const notifiers = createNotifiers([{ type: 'stdout' }])
 */
export function createNotifiers(configs: readonly NotifierConfig[]): Notifier[] {
  return configs.map(createNotifier)
}
