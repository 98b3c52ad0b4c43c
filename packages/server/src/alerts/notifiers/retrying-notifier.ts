import type { AlertEvent, Notifier } from '../notifier.js'

export interface RetryOptions {
  /** Attempts after the first. */
  retries: number
  /** Delay before the first retry; doubled each time, with ±50 % jitter so collectors do not retry in step. */
  backoffMs: number
  /** Awaits a delay; injectable so tests need not wait. */
  sleep?: (ms: number) => Promise<void>
}

// Not unref'd: a one-shot sender (`promptledger alerts test`) must stay alive through its retries.
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Wraps any notifier with retries and exponential backoff; rejects with the last error.
 *
 * @example
 * const n = new RetryingNotifier(new WebhookNotifier({ url }), { retries: 3, backoffMs: 500 })
 */
export class RetryingNotifier implements Notifier {
  readonly name: string
  readonly #inner: Notifier
  readonly #options: RetryOptions

  constructor(inner: Notifier, options: RetryOptions) {
    this.#inner = inner
    this.#options = options
    this.name = inner.name
  }

  async notify(event: AlertEvent): Promise<void> {
    const sleep = this.#options.sleep ?? defaultSleep
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#inner.notify(event)
        return
      } catch (err) {
        if (attempt >= this.#options.retries) throw err
        const base = this.#options.backoffMs * 2 ** attempt
        await sleep(base * (0.5 + Math.random()))
      }
    }
  }
}
