import type { ErrorInput, LogInput } from '../record/log-input.js'
import type { Operation } from '../record/schema.js'
import { type CaptureOptions, currentContext, type ResolvedContext, resolveContext } from './capture-context.js'
import { type LedgerLike, reportCaptureError, safeLog } from './ledger-like.js'

/** What one captured call contributes to its record, besides timing and identity. */
export type CallFields = Omit<
  LogInput,
  'provider' | 'operation' | 'startTime' | 'latencyMs' | 'ttftMs' | 'userId' | 'sessionId' | 'app' | 'environment'
>

/**
 * The timing and identity of one call, taken when the call starts. A small class (fixed shape) because one is made
 * per call on the caller's thread; the record itself is built only once, when the call finishes.
 */
export class CallCapture {
  readonly t0 = performance.now()
  readonly startTime = Date.now()
  readonly context: ResolvedContext
  ttftMs: number | null = null
  private finished = false

  constructor(
    private readonly ledger: LedgerLike,
    private readonly options: CaptureOptions,
    readonly provider: string,
    readonly operation: Operation,
  ) {
    this.context = resolveContext(options, currentContext())
  }

  /** Marks the first token of a stream (only the first call counts). */
  firstToken(): void {
    if (this.ttftMs === null) this.ttftMs = performance.now() - this.t0
  }

  /**
   * Logs the record once; later calls (a stream both cut and cancelled) are ignored. `fields` must be a fresh object
   * owned by capture: it becomes the `LogInput` itself (assigning into it beats spreading it into a new literal).
   */
  finish(fields: CallFields, status: 'ok' | 'error' = 'ok', error: ErrorInput | null = null): void {
    if (this.finished) return
    this.finished = true
    const c = this.context
    const input = fields as LogInput
    input.provider = this.provider
    input.operation = this.operation
    input.status = status
    input.error = error
    input.startTime = this.startTime
    input.latencyMs = performance.now() - this.t0
    input.ttftMs = this.ttftMs
    input.userId = c.userId
    input.sessionId = c.sessionId
    input.app = c.app
    input.environment = c.environment
    if (c.tags) input.tags = c.tags
    if (c.metadata) input.metadata = c.metadata
    safeLog(this.ledger, input, this.options.onError)
  }

  /** Reports a failure of capture itself (never the provider's error, which goes into the record). */
  captureFailed(error: unknown): void {
    reportCaptureError(error, this.options.onError)
  }
}
