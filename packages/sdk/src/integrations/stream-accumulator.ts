import type { ErrorInput } from '../record/log-input.js'
import type { CallCapture, RequestFields, ResponseFields } from './call-capture.js'
import { abortedError, streamFailure } from './error-info.js'
import type { StreamObserver } from './observe-stream.js'

/**
 * What every provider's stream accumulator shares: how a stream that was aborted, that failed, or that the
 * consumer left early is recorded. Subclasses rebuild the response from the chunks (`chunk`, `fields`) and
 * decide how a stream that ended on its own is finished (`complete`).
 */
export abstract class StreamAccumulator<T> implements StreamObserver<T> {
  constructor(
    protected readonly capture: CallCapture,
    protected readonly request: RequestFields,
    private readonly controller: AbortController | undefined,
  ) {}

  abstract chunk(value: T): void
  /** The response fields received so far. */
  protected abstract fields(): ResponseFields
  /** The provider's terminal event arrived (a finish reason, `message_stop`, `response.completed`). */
  protected abstract ended(): boolean
  /** The stream ended without an abort: finish it as complete, or as an error naming what never arrived. */
  protected abstract complete(): void

  end(): void {
    // The SDKs end a stream silently after `controller.abort()`. Only a stream cut before its terminal event asks: a
    // controller makes its signal on first read, which costs microseconds where the SDK never read it.
    if (!this.ended() && this.controller?.signal.aborted) this.finishError(abortedError('stream aborted by the caller'))
    else this.complete()
  }

  fail(e: unknown): void {
    this.finishError(streamFailure(e))
  }

  cancel(): void {
    this.finishError(abortedError('stream closed by the consumer before its end'))
  }

  protected finishError(error: ErrorInput): void {
    this.capture.finish(this.request, this.fields(), 'error', error)
  }
}
