import type { AlertEvent, Notifier } from './notifier.js'

/** Counters of one notifier's deliveries; never reset. */
export interface DeliveryCounts {
  sent: number
  failed: number
  /** Events refused because the queue was full. */
  dropped: number
}

export interface NotificationDispatcherOptions {
  notifiers: readonly Notifier[]
  /** Events waiting per notifier before new ones are dropped (and counted). */
  queueSize?: number
  /** Told of each failed delivery (after the notifier's own retries), e.g. to log it. */
  onFailure?: (notifier: string, event: AlertEvent, error: unknown) => void
  /** Told of each event dropped by a full queue (the `promptledger_queue_dropped_total` counter). */
  onDrop?: (notifier: string) => void
}

class Lane {
  readonly counts: DeliveryCounts = { sent: 0, failed: 0, dropped: 0 }
  readonly #queue: AlertEvent[] = []
  #running: Promise<void> | null = null

  constructor(
    /** Unique among the dispatcher's notifiers (two webhooks on one host become `webhook:h` and `webhook:h#2`). */
    readonly name: string,
    readonly notifier: Notifier,
    readonly size: number,
    readonly onFailure: NotificationDispatcherOptions['onFailure'],
    readonly onDrop: NotificationDispatcherOptions['onDrop'],
  ) {}

  push(event: AlertEvent): void {
    if (this.#queue.length >= this.size) {
      this.counts.dropped++
      this.onDrop?.(this.name)
      return
    }
    this.#queue.push(event)
    this.#running ??= this.#drain()
  }

  // One delivery at a time per notifier keeps firing → resolved in order for the receiver.
  async #drain(): Promise<void> {
    for (let event = this.#queue.shift(); event; event = this.#queue.shift()) {
      try {
        await this.notifier.notify(event)
        this.counts.sent++
      } catch (err) {
        this.counts.failed++
        this.onFailure?.(this.name, event, err)
      }
    }
    this.#running = null
  }

  get busy(): boolean {
    return this.#running !== null
  }

  idle(): Promise<void> {
    return this.#running ?? Promise.resolve()
  }
}

/**
 * Hands alert events to notifiers without ever making the caller wait: each notifier has its own
 * bounded queue and worker, so a hanging webhook delays only its own queue, never ingest, the
 * evaluator loop or the other notifiers.
 *
 * @example
 * const dispatcher = new NotificationDispatcher({ notifiers })
 * dispatcher.send(event) // returns at once
 * await dispatcher.idle() // on shutdown or in tests
 */
export class NotificationDispatcher {
  readonly #lanes: Lane[]

  constructor(options: NotificationDispatcherOptions) {
    const size = options.queueSize ?? 1000
    const seen = new Map<string, number>()
    this.#lanes = options.notifiers.map((n) => {
      const count = (seen.get(n.name) ?? 0) + 1
      seen.set(n.name, count)
      const name = count === 1 ? n.name : `${n.name}#${count}`
      return new Lane(name, n, size, options.onFailure, options.onDrop)
    })
  }

  get notifierNames(): string[] {
    return this.#lanes.map((l) => l.name)
  }

  send(event: AlertEvent): void {
    for (const lane of this.#lanes) lane.push(event)
  }

  /** Per notifier: sent, failed, dropped. */
  counts(): Record<string, DeliveryCounts> {
    return Object.fromEntries(this.#lanes.map((l) => [l.name, { ...l.counts }]))
  }

  /** Totals over every notifier. */
  totals(): DeliveryCounts {
    const t = { sent: 0, failed: 0, dropped: 0 }
    for (const l of this.#lanes) {
      t.sent += l.counts.sent
      t.failed += l.counts.failed
      t.dropped += l.counts.dropped
    }
    return t
  }

  /** Resolves when every queue is empty (events sent after the call may extend it). */
  async idle(): Promise<void> {
    while (this.#lanes.some((l) => l.busy)) await Promise.all(this.#lanes.map((l) => l.idle()))
  }
}
