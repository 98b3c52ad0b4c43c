import type { Operation } from '../record/schema.js'
import { hookResult } from './api-promise-hook.js'
import { CallCapture, type RequestFields } from './call-capture.js'
import type { CaptureOptions } from './capture-context.js'
import { toErrorInput } from './error-info.js'
import { type LedgerLike, reportCaptureError } from './ledger-like.js'
import { observeStream, type StreamObserver } from './observe-stream.js'

/** How one SDK method maps to a record. */
export interface CallSpec {
  provider: string
  operation: Operation
  request(body: unknown): RequestFields
  /** Logs a complete (non-streamed) result. */
  response(capture: CallCapture, request: RequestFields, value: unknown): void
  /** The observer that follows a streamed result; absent when the method never streams. */
  stream?(capture: CallCapture, request: RequestFields, controller: AbortController | undefined): StreamObserver<never>
}

// biome-ignore lint/suspicious/noExplicitAny: the SDK method's own signature is preserved by the caller's type.
type AnyMethod = (...args: any[]) => unknown

/**
 * Wraps one SDK method (`create`) so that each call is recorded. The caller gets the very object the SDK returned
 * (the same `APIPromise`, the same `Stream`); capture only hooks into it. The per-call work on the caller's thread is
 * one `CallCapture` and one pass over the request's keys; the record is built when the call settles.
 */
export function observeMethod(
  original: AnyMethod,
  target: object,
  ledger: LedgerLike,
  options: CaptureOptions,
  spec: CallSpec,
): AnyMethod {
  return function observed(body: unknown, ...rest: unknown[]) {
    let capture: CallCapture | undefined
    let request: RequestFields | undefined
    try {
      capture = new CallCapture(ledger, options, spec.provider, spec.operation)
      request = spec.request(body)
    } catch (e) {
      reportCaptureError(e, options.onError)
    }
    const result = original.call(target, body, ...rest)
    if (!capture || !request) return result
    const c = capture
    const req = request
    const streaming = !!body && (body as { stream?: unknown }).stream === true
    try {
      hookResult(
        result,
        (value) => {
          try {
            if (streaming && spec.stream) {
              const controller = (value as { controller?: AbortController } | null)?.controller
              if (!observeStream(value, spec.stream(c, req, controller), (e) => c.captureFailed(e))) c.finish(req, null)
            } else spec.response(c, req, value)
          } catch (e) {
            c.captureFailed(e)
          }
        },
        (error) => c.finish(req, null, 'error', toErrorInput(error)),
      )
    } catch (e) {
      c.captureFailed(e)
    }
    return result
  }
}
