/**
 * Runs at most `limit` tasks at once; the others wait and start in the order they came, as slots free up.
 * A task that fails frees its slot like one that succeeds.
 *
 * @example
 * const slots = new Slots(2)
 * const archives = segments.map((s) => slots.run(() => archive(s))) // two at a time
 */
export class Slots {
  #free: number
  #limit: number
  readonly #waiting: Array<() => void> = []

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`Slots: limit must be a positive integer, got ${limit}`)
    this.#free = limit
    this.#limit = limit
  }

  /** Raises the limit to `limit` (never lowers it), starting waiting tasks at once. */
  raise(limit: number): void {
    while (this.#limit < limit) {
      this.#limit++
      this.#release()
    }
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--
    else await new Promise<void>((resolve) => this.#waiting.push(resolve))
    try {
      return await task()
    } finally {
      this.#release()
    }
  }

  /** A slot comes free: the next waiting task takes it, or it is kept for the next one to come. */
  #release(): void {
    const next = this.#waiting.shift()
    if (next) next()
    else this.#free++
  }
}
