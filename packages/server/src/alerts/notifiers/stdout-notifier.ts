import type { AlertEvent, Notifier } from '../notifier.js'

/**
 * Writes each event as one JSON line (to stdout unless told otherwise), for log collectors and tests.
 *
 * @example
 * new StdoutNotifier().notify(event) // {"source":"promptledger","kind":"firing",...}
 */
export class StdoutNotifier implements Notifier {
  readonly name = 'stdout'
  readonly #out: { write(line: string): unknown }

  constructor(options: { out?: { write(line: string): unknown } } = {}) {
    this.#out = options.out ?? process.stdout
  }

  async notify(event: AlertEvent): Promise<void> {
    this.#out.write(`${JSON.stringify({ source: 'promptledger', ...event })}\n`)
  }
}
