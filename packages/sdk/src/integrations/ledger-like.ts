import type { LogInput } from '../record/log-input.js'

/**
 * What the wrappers and middleware need from a ledger: only `log()`. `createLedger()` satisfies it, and so does
 * anything else with a `log` method (a test double, a fan-out to two ledgers).
 *
 * @example
 * const ledger: LedgerLike = { log: (input) => console.log(input.model, input.usage) }
 */
export interface LedgerLike {
  log(input: LogInput): unknown
}

/** Called with anything that went wrong while capturing; the caller's call is never affected. */
export type CaptureErrorHandler = (error: unknown) => void

let captureErrors = 0

/** How many capture failures (a throwing `log()`, a mapping bug) this process has counted and absorbed. */
export function captureErrorCount(): number {
  return captureErrors
}

/** Counts a capture failure and hands it to the optional handler; never throws. */
export function reportCaptureError(error: unknown, onError?: CaptureErrorHandler): void {
  captureErrors++
  if (!onError) return
  try {
    onError(error)
  } catch {
    // The handler itself failed: it was already counted above, and capture must never throw into the app.
  }
}

/** `ledger.log()` that never throws into the caller, also when it returns a rejected promise. */
export function safeLog(ledger: LedgerLike, input: LogInput, onError?: CaptureErrorHandler): void {
  try {
    const result = ledger.log(input) as { then?: unknown; catch?: (fn: (e: unknown) => void) => unknown } | undefined
    if (result && typeof result.then === 'function' && typeof result.catch === 'function') {
      result.catch((e) => reportCaptureError(e, onError))
    }
  } catch (e) {
    reportCaptureError(e, onError)
  }
}
