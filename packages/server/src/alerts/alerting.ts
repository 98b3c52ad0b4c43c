import { join } from 'node:path'
import type { Storage } from '../storage/storage.js'
import { AlertEvaluator } from './alert-evaluator.js'
import { AlertStateStore } from './alert-state-store.js'
import type { AlertsConfig } from './alerts-config.js'
import { NotificationDispatcher } from './notification-dispatcher.js'
import type { AlertEvent, Notifier } from './notifier.js'
import { createNotifiers } from './notifiers/create-notifiers.js'
import { type ResolvedRule, resolveRules } from './rules.js'

export interface AlertingOptions {
  config: AlertsConfig
  storage: Storage
  /** The collector's data dir; alert state lives in `<data>/alerts.db`, shared by collectors on that dir. */
  dataDir: string
  /** Overrides the notifiers built from the config (tests, embedding). */
  notifiers?: Notifier[]
  now?: () => Date
  onError?: (what: string, error: unknown) => void
  /** Told of each notification dropped by a full queue. */
  onDrop?: (notifier: string) => void
}

/** Everything alerting needs at run time, built once by the collector. */
export interface Alerting {
  /** `alerts.enabled`: whether the evaluation loop runs (the API answers either way). */
  readonly enabled: boolean
  readonly intervalSeconds: number
  readonly rules: readonly ResolvedRule[]
  readonly state: AlertStateStore
  readonly dispatcher: NotificationDispatcher
  readonly evaluator: AlertEvaluator
  /** Starts the evaluation loop unless `alerts.enabled` is false. */
  start(): void
  /** Stops the loop, lets queued notifications go out for up to `graceMs`, closes the state store. */
  close(graceMs?: number): Promise<void>
}

/**
 * Wires rules, state store, notifiers and evaluator from the validated `alerts` config.
 *
 * @example
 * const alerting = createAlerting({ config: config.alerts, storage, dataDir: config.data })
 * alerting.start()
 */
export function createAlerting(options: AlertingOptions): Alerting {
  const rules = resolveRules(options.config.rules)
  const state = new AlertStateStore({
    path: options.dataDir === ':memory:' ? ':memory:' : join(options.dataDir, 'alerts.db'),
  })
  const onError = options.onError
  const dispatcher = new NotificationDispatcher({
    notifiers: options.notifiers ?? createNotifiers(options.config.notifiers),
    queueSize: options.config.queueSize,
    ...(options.onDrop ? { onDrop: options.onDrop } : {}),
    ...(onError ? { onFailure: (name: string, _e: AlertEvent, err: unknown) => onError(`notifier ${name}`, err) } : {}),
  })
  const evaluator = new AlertEvaluator({
    storage: options.storage,
    state,
    dispatcher,
    rules,
    intervalMs: options.config.intervalSeconds * 1000,
    ...(options.now ? { now: options.now } : {}),
    ...(onError ? { onError: (rule: string, err: unknown) => onError(`rule ${rule}`, err) } : {}),
  })
  return {
    enabled: options.config.enabled,
    intervalSeconds: options.config.intervalSeconds,
    rules,
    state,
    dispatcher,
    evaluator,
    start() {
      if (options.config.enabled) evaluator.start()
    },
    async close(graceMs = 2000) {
      await evaluator.stop()
      let timer: NodeJS.Timeout | undefined
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs)
        timer.unref()
      })
      await Promise.race([dispatcher.idle(), grace])
      clearTimeout(timer)
      state.close()
    },
  }
}
