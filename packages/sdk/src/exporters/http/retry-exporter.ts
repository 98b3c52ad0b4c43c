import { PromptLedgerError } from '../../errors.js'
import type { LedgerRecord } from '../../record/schema.js'
import type { Exporter, ExportResult } from '../exporter.js'

export interface RetryOptions {
  /** Attempts in total, including the first; default 5. */
  maxAttempts?: number
  /** First backoff ceiling in ms; doubles each attempt. Default 100. */
  baseDelayMs?: number
  /** Largest wait in ms, also caps a collector's Retry-After. Default 10 000. */
  maxDelayMs?: number
  /** Random source in [0, 1) for the jitter (tests pass a fixed one). */
  random?: () => number
}

/**
 * Wraps any exporter: a retryable failure (429, 5xx, network) is tried again after an exponential backoff
 * with full jitter (a random wait in [0, base·2^n], so many clients spread out instead of retrying in step),
 * or after the collector's Retry-After when it sent one. A non-retryable failure returns at once.
 *
 * @example
 * const exporter = withRetry(new HttpExporter({ endpoint }), { maxAttempts: 5 })
 */
export function withRetry(inner: Exporter, options: RetryOptions = {}): Exporter {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5)
  const base = options.baseDelayMs ?? 100
  const max = options.maxDelayMs ?? 10_000
  const random = options.random ?? Math.random
  const abort = new AbortController()

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (abort.signal.aborted) return resolve()
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        abort.signal.removeEventListener('abort', done)
        resolve()
      }
      abort.signal.addEventListener('abort', done)
    })

  return {
    async export(batch: readonly LedgerRecord[]): Promise<ExportResult> {
      let result = await inner.export(batch)
      for (let attempt = 1; attempt < maxAttempts && !result.ok && result.retryable; attempt++) {
        if (abort.signal.aborted) {
          return { ok: false, retryable: true, error: new PromptLedgerError('CLOSED', 'shut down while retrying') }
        }
        const hinted = (result.error as { retryAfterMs?: number | null }).retryAfterMs
        const delay = hinted != null ? Math.min(hinted, max) : random() * Math.min(max, base * 2 ** (attempt - 1))
        await wait(delay)
        result = await inner.export(batch)
      }
      return result
    },
    flush: () => inner.flush(),
    async shutdown() {
      abort.abort()
      await inner.shutdown()
    },
  }
}
