import type { AlertEvent, Notifier } from '../notifier.js'
import { postJson } from './http-post.js'

export interface WebhookNotifierOptions {
  url: string
  headers?: Record<string, string>
  timeoutMs?: number
}

/**
 * Generic JSON webhook: POSTs the event as is, with `source: "promptledger"`.
 *
 * @example
 * const n = new WebhookNotifier({ url: 'http://127.0.0.1:9000/hook' })
 * await n.notify({ kind: 'test', rule: 'test', scope: {}, value: null, threshold: null, message: 'hi', startedAt })
 */
export class WebhookNotifier implements Notifier {
  readonly name: string
  readonly #options: WebhookNotifierOptions

  constructor(options: WebhookNotifierOptions) {
    this.#options = options
    this.name = `webhook:${new URL(options.url).host}`
  }

  async notify(event: AlertEvent): Promise<void> {
    const opts = {
      timeoutMs: this.#options.timeoutMs ?? 5000,
      ...(this.#options.headers ? { headers: this.#options.headers } : {}),
    }
    await postJson(this.#options.url, { source: 'promptledger', ...event }, opts)
  }
}
