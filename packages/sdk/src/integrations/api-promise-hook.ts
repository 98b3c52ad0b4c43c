/**
 * The internals of the SDKs' `APIPromise` used here. Both `openai` and `@anthropic-ai/sdk` build it the same way:
 * `responsePromise` settles with the HTTP response (or rejects with the API error), and `parseResponse` turns it into
 * the value (a parsed object, or a `Stream`) that `then`, `withResponse()` and `_thenUnwrap()` hand out.
 */
interface ApiPromiseInternals {
  responsePromise?: PromiseLike<unknown>
  parseResponse?: (client: unknown, props: unknown) => Promise<unknown>
}

/**
 * Observes the outcome of one SDK call without changing what the caller gets. On an `APIPromise` the hook sits in
 * `parseResponse`, so `onValue` sees the value (and can observe a `Stream` in place) before anyone else, and the body
 * is only read if the caller reads it (`.asResponse()` stays raw). Any other thenable is observed with `.then`.
 */
export function hookResult(
  result: unknown,
  onValue: (value: unknown) => void,
  onError: (error: unknown) => void,
): void {
  const p = result as ApiPromiseInternals & PromiseLike<unknown>
  if (!p || (typeof p !== 'object' && typeof p !== 'function')) return
  if (typeof p.parseResponse === 'function' && p.responsePromise && typeof p.responsePromise.then === 'function') {
    const parse = p.parseResponse
    p.parseResponse = function parseObserved(this: unknown, client: unknown, props: unknown) {
      return parse.call(this, client, props).then(
        (value) => {
          onValue(value)
          return value
        },
        (error: unknown) => {
          onError(error)
          throw error
        },
      )
    }
    // HTTP errors and connection failures reject here, before any parsing. The caller still sees the same rejection
    // through `then`; this reaction only observes it.
    p.responsePromise.then(undefined, onError)
    return
  }
  if (typeof p.then === 'function') p.then(onValue, onError)
}
