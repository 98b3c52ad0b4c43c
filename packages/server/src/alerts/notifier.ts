/** One alert state change sent to a notifier. */
export interface AlertEvent {
  kind: 'firing' | 'resolved' | 'test'
  rule: string
  /** The scope the rule was evaluated for, e.g. `{ model: 'gpt-4o' }`; empty for global rules. */
  scope: Record<string, string>
  /** The measured value and its threshold, in the rule's unit. */
  value: number | null
  threshold: number | null
  message: string
  startedAt: string
  resolvedAt?: string
}

/** Where alerts go: a generic JSON webhook, a Slack-compatible webhook, stdout. */
export interface Notifier {
  readonly name: string
  /** Rejects on failure after the notifier's own retries; callers never await it on the ingest path. */
  notify(event: AlertEvent): Promise<void>
}
