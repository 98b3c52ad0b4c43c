import { type RetentionResult, type RunRetentionOptions, runRetention } from './run-retention.js'

export interface RetentionSchedulerOptions extends Omit<RunRetentionOptions, 'dryRun' | 'now'> {
  intervalMs: number
  /** Each run's outcome; failures are reported here, never dropped. */
  onRun?: (result: RetentionResult) => void
  onError: (err: unknown) => void
}

/**
 * Runs the retention policy in the server every `intervalMs` (first run at start). Runs never
 * overlap; the timer is unref'd so it never keeps the process alive.
 *
 * @example
 * const s = new RetentionScheduler({ ...opts, intervalMs: 3_600_000, onError: log }); s.start(); … s.stop()
 */
export class RetentionScheduler {
  readonly #options: RetentionSchedulerOptions
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  failures = 0

  constructor(options: RetentionSchedulerOptions) {
    this.#options = options
  }

  start(): void {
    if (this.#timer || this.#options.intervalMs <= 0) return
    this.#timer = setInterval(() => void this.runNow(), this.#options.intervalMs)
    this.#timer.unref()
    void this.runNow()
  }

  /** One run now (skipped while another is in progress); resolves when it ends. */
  runNow(): Promise<void> {
    this.#running ??= runRetention(this.#options)
      .then((result) => this.#options.onRun?.(result))
      .catch((err: unknown) => {
        this.failures++
        this.#options.onError(err)
      })
      .finally(() => {
        this.#running = undefined
      })
    return this.#running
  }

  /** Stops the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    await this.#running
  }
}
