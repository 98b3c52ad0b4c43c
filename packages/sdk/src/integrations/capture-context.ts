import { AsyncLocalStorage } from 'node:async_hooks'
import type { CaptureErrorHandler } from './ledger-like.js'

/** Who and what a captured call belongs to. */
export interface CaptureContext {
  userId?: string
  sessionId?: string
  app?: string
  environment?: string
  tags?: string[]
  metadata?: Record<string, unknown>
}

/** A fixed value, or a function read at the moment of each call (e.g. from the app's own request context). */
export type Resolvable<T> = T | (() => T | undefined)

/** Options shared by `observeOpenAI`, `observeAnthropic` and the middleware. */
export interface CaptureOptions {
  userId?: Resolvable<string>
  sessionId?: Resolvable<string>
  app?: string
  environment?: string
  tags?: string[]
  metadata?: Record<string, unknown>
  /** Receives capture failures (they are also counted, see `captureErrorCount()`); never the app's own errors. */
  onError?: CaptureErrorHandler
}

const storage = new AsyncLocalStorage<CaptureContext>()

/**
 * Runs `fn` with a capture context: every wrapped client call and middleware record made inside it (including in
 * awaited callbacks) carries these fields. Nested contexts merge: inner fields win, tags add up, metadata merges.
 *
 * @example
 * await withContext({ userId: 'user_123', sessionId: 'chat_9' }, () => openai.chat.completions.create(req))
 */
export function withContext<R>(context: CaptureContext, fn: () => R): R {
  const outer = storage.getStore()
  return storage.run(outer ? mergeContext(outer, context) : context, fn)
}

/** The context set by the innermost `withContext`, if any. Cheap: one AsyncLocalStorage read. */
export function currentContext(): CaptureContext | undefined {
  return storage.getStore()
}

function mergeContext(outer: CaptureContext, inner: CaptureContext): CaptureContext {
  return {
    ...outer,
    ...inner,
    tags: outer.tags && inner.tags ? [...outer.tags, ...inner.tags] : (inner.tags ?? outer.tags),
    metadata:
      outer.metadata && inner.metadata ? { ...outer.metadata, ...inner.metadata } : (inner.metadata ?? outer.metadata),
  }
}

function resolve<T>(value: Resolvable<T> | undefined, onError?: CaptureErrorHandler): T | undefined {
  if (typeof value !== 'function') return value
  try {
    return (value as () => T | undefined)()
  } catch (e) {
    onError?.(e)
    return undefined
  }
}

/** The identity fields of a `LogInput`, from the call's `withContext` (wins) and the wrapper's options. */
export interface ResolvedContext {
  userId: string | null
  sessionId: string | null
  app: string | null
  environment: string | null
  tags: string[] | undefined
  metadata: Record<string, unknown> | undefined
}

/** Resolves the identity fields once per call, at call time (function options read the app's state then). */
export function resolveContext(options: CaptureOptions, ctx: CaptureContext | undefined): ResolvedContext {
  const tags = ctx?.tags && options.tags ? [...options.tags, ...ctx.tags] : (ctx?.tags ?? options.tags)
  const metadata =
    ctx?.metadata && options.metadata ? { ...options.metadata, ...ctx.metadata } : (ctx?.metadata ?? options.metadata)
  return {
    userId: ctx?.userId ?? resolve(options.userId, options.onError) ?? null,
    sessionId: ctx?.sessionId ?? resolve(options.sessionId, options.onError) ?? null,
    app: ctx?.app ?? options.app ?? null,
    environment: ctx?.environment ?? options.environment ?? null,
    tags,
    metadata,
  }
}
