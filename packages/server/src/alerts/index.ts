export { AlertEvaluator, type AlertEvaluatorOptions, type CycleResult } from './alert-evaluator.js'
export { alertRoutes } from './alert-routes.js'
export { type AlertRecord, AlertStateStore, type AlertStateStoreOptions } from './alert-state-store.js'
export { type Alerting, type AlertingOptions, createAlerting } from './alerting.js'
export { type AlertsArea, type AlertsAreaOptions, openAlertsArea } from './alerts-area.js'
export * from './alerts-config.js'
export {
  type DeliveryCounts,
  NotificationDispatcher,
  type NotificationDispatcherOptions,
} from './notification-dispatcher.js'
export type { AlertEvent, Notifier } from './notifier.js'
export { createNotifiers } from './notifiers/create-notifiers.js'
export { RetryingNotifier, type RetryOptions } from './notifiers/retrying-notifier.js'
export { SlackNotifier, type SlackNotifierOptions, slackBody } from './notifiers/slack-notifier.js'
export { StdoutNotifier } from './notifiers/stdout-notifier.js'
export { WebhookNotifier, type WebhookNotifierOptions } from './notifiers/webhook-notifier.js'
export { type Observation, observe } from './rule-evaluation.js'
export { type ResolvedRule, RULE_DEFAULTS, type RuleUnit, resolveRules, SCOPE_GROUP_BY } from './rules.js'
