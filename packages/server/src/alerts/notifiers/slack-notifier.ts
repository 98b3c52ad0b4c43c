import type { AlertEvent, Notifier } from '../notifier.js'
import { postJson } from './http-post.js'

export interface SlackNotifierOptions {
  /** An incoming-webhook URL (Slack, Mattermost, Rocket.Chat and others accept the same body). */
  url: string
  timeoutMs?: number
}

const HEADLINE: Record<AlertEvent['kind'], string> = {
  firing: ':rotating_light: *FIRING*',
  resolved: ':white_check_mark: *RESOLVED*',
  test: ':wave: *TEST*',
}

/** The Slack-compatible body: `text` for clients and notifications, `blocks` for the rich view. */
export function slackBody(event: AlertEvent): { text: string; blocks: unknown[] } {
  const scope = Object.entries(event.scope)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')
  const text = `${HEADLINE[event.kind]} promptledger ${event.rule}${scope ? ` (${scope})` : ''}: ${event.message}`
  const when = event.resolvedAt
    ? `started ${event.startedAt}, resolved ${event.resolvedAt}`
    : `since ${event.startedAt}`
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: when }] },
    ],
  }
}

/**
 * Slack-compatible incoming webhook.
 *
 * @example
 * new SlackNotifier({ url: process.env.SLACK_WEBHOOK! }) // built from the config file by createNotifiers
 */
export class SlackNotifier implements Notifier {
  readonly name: string
  readonly #options: SlackNotifierOptions

  constructor(options: SlackNotifierOptions) {
    this.#options = options
    this.name = `slack:${new URL(options.url).host}`
  }

  async notify(event: AlertEvent): Promise<void> {
    await postJson(this.#options.url, slackBody(event), { timeoutMs: this.#options.timeoutMs ?? 5000 })
  }
}
