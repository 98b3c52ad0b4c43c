import type { LogInput } from '../record/log-input.js'

/** A `log()` call waiting for the pipeline: the input as given plus what must be captured at call time. */
export interface Pending {
  id: string
  input: LogInput
  loggedAt: number
  bytes: number
}

/**
 * Rough size of an input, for the byte bound of the queue. It reads string lengths only (no
 * serialization), so it stays O(fields) on the caller's thread; the bound is a memory guard, not an exact count.
 */
export function estimateBytes(input: LogInput): number {
  let n = 256
  if (typeof input !== 'object' || input === null) return n
  if (typeof input.prompt === 'string') n += input.prompt.length
  if (typeof input.response === 'string') n += input.response.length
  if (typeof input.output === 'string') n += input.output.length
  const messages = input.messages
  if (Array.isArray(messages)) {
    for (let i = 0; i < messages.length; i++) {
      const c = messages[i]?.content
      n += typeof c === 'string' ? c.length + 16 : 256
    }
  }
  return n
}

/**
 * FIFO of pending calls with count and byte bounds. `push` and `take` are O(1) amortized: taking a batch
 * moves a head index instead of shifting the array.
 */
export class PendingQueue {
  #items: Array<Pending | undefined> = []
  #head = 0
  bytes = 0

  constructor(
    readonly maxRecords: number,
    readonly maxBytes: number,
  ) {}

  get length(): number {
    return this.#items.length - this.#head
  }

  hasRoom(bytes: number): boolean {
    return this.length < this.maxRecords && this.bytes + bytes <= this.maxBytes
  }

  push(item: Pending): void {
    this.#items.push(item)
    this.bytes += item.bytes
  }

  /** Removes and returns up to `n` oldest items. */
  take(n: number): Pending[] {
    const end = Math.min(this.#items.length, this.#head + n)
    const out = this.#items.slice(this.#head, end) as Pending[]
    // Taken slots are cleared so the inputs die with their batch, not when the queue next empties.
    this.#items.fill(undefined, this.#head, end)
    this.#head = end
    if (this.#head === this.#items.length) {
      this.#items = []
      this.#head = 0
    } else if (this.#head > 4096 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    for (const item of out) this.bytes -= item.bytes
    return out
  }
}
