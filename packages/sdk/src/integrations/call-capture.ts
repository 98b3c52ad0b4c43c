import type { ErrorInput, LogInput, ToolCallInput, Usage } from '../record/log-input.js'
import type { Message, Operation } from '../record/schema.js'
import { type CaptureOptions, currentContext, type ResolvedContext, resolveContext } from './capture-context.js'
import { type LedgerLike, reportCaptureError, safeLog } from './ledger-like.js'

/** The request half of a record, from the call's arguments. */
export interface RequestFields {
  model: string | null
  messages?: Message[]
  input?: unknown
  params?: Record<string, unknown>
  tools?: unknown[]
}

/** The response half of a record, from the result (or what a broken stream delivered). */
export interface ResponseFields {
  output?: unknown
  responseModel?: string | null
  responseId?: string | null
  finishReasons?: string[]
  toolCalls?: ToolCallInput[]
  usage?: Usage | null
}

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

  /** Logs the record once; later calls (a stream both cut and cancelled) are ignored. */
  finish(
    req: RequestFields,
    res: ResponseFields | null,
    status: 'ok' | 'error' = 'ok',
    error: ErrorInput | null = null,
  ) {
    if (this.finished) return
    this.finished = true
    const c = this.context
    // One literal with every field: a fixed shape is several times cheaper than spreading or adding properties.
    const input: LogInput = {
      provider: this.provider,
      operation: this.operation,
      model: req.model,
      messages: req.messages,
      input: req.input,
      params: req.params,
      tools: req.tools,
      output: res?.output,
      responseModel: res?.responseModel,
      responseId: res?.responseId,
      finishReasons: res?.finishReasons,
      toolCalls: res?.toolCalls,
      usage: res?.usage,
      status,
      error,
      startTime: this.startTime,
      latencyMs: performance.now() - this.t0,
      ttftMs: this.ttftMs,
      userId: c.userId,
      sessionId: c.sessionId,
      app: c.app,
      environment: c.environment,
      tags: c.tags,
      metadata: c.metadata,
    }
    safeLog(this.ledger, input, this.options.onError)
  }

  /** Reports a failure of capture itself (never the provider's error, which goes into the record). */
  captureFailed(error: unknown): void {
    reportCaptureError(error, this.options.onError)
  }
}
