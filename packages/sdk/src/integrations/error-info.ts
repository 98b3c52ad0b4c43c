import type { ErrorInput } from '../record/log-input.js'

type ErrorShape = {
  name?: unknown
  message?: unknown
  status?: unknown
  type?: unknown
  error?: { type?: unknown; error?: { type?: unknown } }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined
}

/**
 * Maps what a provider SDK threw to the record's error: the HTTP status, and the provider's error type
 * (OpenAI's `error.type`, Anthropic's `error.error.type`), falling back to the class name. A user abort or a
 * connection cut is typed `aborted`.
 */
export function toErrorInput(err: unknown): ErrorInput {
  const e = (err ?? {}) as ErrorShape
  const name = text(e.name)
  const aborted = name === 'AbortError' || name === 'APIUserAbortError'
  const bodyType = text(e.error?.type)
  const type =
    (aborted ? 'aborted' : undefined) ??
    text(e.type) ??
    (bodyType !== 'error' ? bodyType : undefined) ??
    text(e.error?.error?.type) ??
    name ??
    'Error'
  return {
    type,
    message: text(e.message) ?? String(err),
    httpStatus: typeof e.status === 'number' && e.status >= 100 && e.status <= 599 ? e.status : null,
  }
}

/** The record's error for a stream that ended (or was cut, or broken off by the consumer) before its last event. */
export function abortedError(reason: string): ErrorInput {
  return { type: 'aborted', message: reason, httpStatus: null }
}

function isApiError(e: unknown): boolean {
  const x = e as { status?: unknown; error?: unknown } | null
  return !!x && (typeof x.status === 'number' || (typeof x.error === 'object' && x.error !== null))
}

/**
 * The record's error for a stream that threw midway: a provider error (an `error` event, an HTTP status) keeps its
 * type; anything else (the connection cut, a parse failure of a truncated frame) is `aborted`.
 */
export function streamFailure(e: unknown): ErrorInput {
  return isApiError(e) ? toErrorInput(e) : abortedError(e instanceof Error ? e.message : String(e))
}
