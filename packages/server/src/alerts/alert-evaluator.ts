import type { Storage } from '../storage/storage.js'
import type { AlertRecord, AlertStateStore } from './alert-state-store.js'
import type { NotificationDispatcher } from './notification-dispatcher.js'
import type { AlertEvent } from './notifier.js'
import { observe } from './rule-evaluation.js'
import type { ResolvedRule } from './rules.js'
import { WindowStats, yieldToLoop } from './window-stats.js'

export interface AlertEvaluatorOptions {
  storage: Storage
  state: AlertStateStore
  dispatcher: NotificationDispatcher
  rules: readonly ResolvedRule[]
  intervalMs: number
  /** The clock; injectable so tests can evaluate "an hour later" without waiting. */
  now?: () => Date
  /** Told of a rule that could not be evaluated (the cycle goes on with the other rules). */
  onError?: (rule: string, error: unknown) => void
}

/** What one evaluation cycle did. */
export interface CycleResult {
  evaluated: number
  fired: AlertRecord[]
  resolved: AlertRecord[]
  errors: number
  durationMs: number
}

export function toEvent(alert: AlertRecord, kind: 'firing' | 'resolved', message: string): AlertEvent {
  return {
    kind,
    rule: alert.rule,
    scope: alert.scope,
    value: kind === 'resolved' ? alert.resolvedValue : alert.value,
    threshold: alert.threshold,
    message,
    startedAt: alert.startedAt,
    ...(alert.resolvedAt ? { resolvedAt: alert.resolvedAt } : {}),
  }
}

/**
 * Evaluates the enabled rules against the store on an interval. Every collector may run one: the
 * state store's compare-and-set lets exactly one of them open (and notify) each alert. Cycles never
 * overlap; notifications are handed off without waiting, so a slow notifier never delays a cycle.
 *
 * @example
 * const evaluator = new AlertEvaluator({ storage, state, dispatcher, rules: resolveRules({}), intervalMs: 60_000 })
 * evaluator.start()
 * await evaluator.stop()
 */
export class AlertEvaluator {
  readonly #o: AlertEvaluatorOptions
  #timer: NodeJS.Timeout | null = null
  #current: Promise<CycleResult> | null = null
  #stopped = true
  #cycles = 0
  #errors = 0
  #lastDurationMs = 0
  readonly #windows: WindowStats
  #nudged: NodeJS.Timeout | null = null
  #lastNudgeAt = 0

  constructor(options: AlertEvaluatorOptions) {
    this.#o = options
    this.#windows = new WindowStats(options.storage)
  }

  get rules(): readonly ResolvedRule[] {
    return this.#o.rules
  }

  /** Cycles run, rule evaluations that failed, and the last cycle's duration. */
  get stats(): { cycles: number; errors: number; lastDurationMs: number } {
    return { cycles: this.#cycles, errors: this.#errors, lastDurationMs: this.#lastDurationMs }
  }

  start(): void {
    if (!this.#stopped) return
    this.#stopped = false
    // The first cycle soon after start, not a whole interval later: alerts open while the collector was down are judged early.
    this.#schedule(Math.min(this.#o.intervalMs, 5000))
  }

  #schedule(delayMs = this.#o.intervalMs): void {
    if (this.#stopped) return
    // Timer re-armed after each cycle (not setInterval): a slow cycle delays the next instead of piling up.
    this.#timer = setTimeout(() => {
      // runOnce counts rule failures itself; nothing is expected here, but the loop must survive anything.
      this.runOnce()
        .catch((err) => this.#o.onError?.('cycle', err))
        .finally(() => this.#schedule())
    }, delayMs)
    this.#timer.unref()
  }

  /** Stops the loop and waits for a cycle in flight. */
  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearTimeout(this.#timer)
    if (this.#nudged) clearTimeout(this.#nudged)
    this.#timer = null
    this.#nudged = null
    await this.#current?.catch(() => undefined)
  }

  /**
   * Asks for a cycle soon, for events that should not wait for the interval (a PII leak is a "real
   * time" rule). At most one nudged cycle per second; ignored while the loop is stopped.
   */
  nudge(): void {
    if (this.#stopped || this.#nudged) return
    const wait = Math.max(0, this.#lastNudgeAt + 1000 - Date.now())
    this.#nudged = setTimeout(() => {
      this.#nudged = null
      this.#lastNudgeAt = Date.now()
      this.runOnce().catch(() => undefined)
    }, wait)
    this.#nudged.unref()
  }

  /** Tells the window cache which records were stored (their `ts`), so late ones are counted by the next cycle. */
  recordsStored(timestamps: readonly number[]): void {
    this.#windows.forget(timestamps, (this.#o.now ?? (() => new Date()))().getTime())
  }

  /** Runs one cycle now (or joins the one running). */
  runOnce(): Promise<CycleResult> {
    this.#current ??= this.#cycle().finally(() => {
      this.#current = null
    })
    return this.#current
  }

  async #cycle(): Promise<CycleResult> {
    const started = performance.now()
    const now = (this.#o.now ?? (() => new Date()))()
    const at = now.toISOString()
    const result: CycleResult = { evaluated: 0, fired: [], resolved: [], errors: 0, durationMs: 0 }
    this.#windows.beginCycle()
    for (const rule of this.#o.rules) {
      if (!rule.enabled) continue
      await yieldToLoop()
      try {
        const observations = await observe(rule, this.#o.storage, this.#windows, now)
        result.evaluated++
        const breaching = new Set<string>()
        const seen = new Map<string, { value: number | null; message: string }>()
        for (const obs of observations) {
          seen.set(obs.scopeKey, obs)
          if (!obs.breached) continue
          breaching.add(obs.scopeKey)
          const opened = this.#o.state.open({ rule: rule.name, ...obs, threshold: rule.threshold, at })
          if (!opened) continue
          result.fired.push(opened)
          this.#o.dispatcher.send(toEvent(opened, 'firing', obs.message))
        }
        for (const open of this.#o.state.openForRule(rule.name)) {
          if (breaching.has(open.scopeKey)) continue
          const latest = seen.get(open.scopeKey)
          const closed = this.#o.state.resolve(rule.name, open.scopeKey, latest?.value ?? null, at)
          if (!closed) continue
          result.resolved.push(closed)
          const message = latest?.message ?? `${rule.name}: no matching records in the last ${rule.windowSeconds} s`
          this.#o.dispatcher.send(toEvent(closed, 'resolved', message))
        }
      } catch (err) {
        result.errors++
        this.#errors++
        this.#o.onError?.(rule.name, err)
      }
    }
    this.#windows.endCycle()
    this.#cycles++
    result.durationMs = performance.now() - started
    this.#lastDurationMs = result.durationMs
    return result
  }
}
