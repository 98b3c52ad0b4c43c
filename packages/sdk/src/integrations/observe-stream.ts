/** What a stream observer sees; each callback runs after the SDK produced the value and before the caller gets it. */
export interface StreamObserver<T> {
  chunk(value: T): void
  /** The SDK's iterator finished (normally, or silently after `controller.abort()`). */
  end(): void
  /** The SDK's iterator threw (connection cut, an `error` event, a parse error). */
  fail(error: unknown): void
  /** The consumer stopped early (`break`, `return()`), before the stream's end. */
  cancel(): void
}

/** The part of the SDKs' `Stream` class used here: every way of reading it goes through `iterator()`. */
interface IteratorSource<T> {
  iterator: () => AsyncIterator<T>
}

/**
 * Observes an SDK `Stream` in place: its `iterator` factory is swapped for one that reports each chunk to the
 * observer. The object the caller holds stays the same, so `.controller`, `.tee()` and `.toReadableStream()` keep
 * working (they all read through `iterator()`), and nothing is buffered: a chunk is passed on in the same
 * `next()` resolution that delivered it.
 */
export function observeStream<T>(stream: unknown, observer: StreamObserver<T>, onError: (e: unknown) => void): boolean {
  const source = stream as IteratorSource<T>
  if (!source || typeof source.iterator !== 'function') return false
  const original = source.iterator
  let observed = false
  source.iterator = function iterator(this: unknown) {
    const it = original.call(this)
    // Only the first read is observed; a second one throws "stream consumed" in the SDK anyway.
    if (observed) return it
    observed = true
    return observeIterator(it, observer, onError)
  }
  return true
}

function observeIterator<T>(it: AsyncIterator<T>, observer: StreamObserver<T>, onError: (e: unknown) => void) {
  let finished = false
  // Observer failures are reported, never thrown: the caller's chunk must arrive whatever capture does.
  const onResult = (r: IteratorResult<T>): IteratorResult<T> => {
    if (finished) return r
    try {
      if (r.done) {
        finished = true
        observer.end()
      } else observer.chunk(r.value)
    } catch (e) {
      onError(e)
    }
    return r
  }
  const onFailure = (e: unknown): never => {
    if (!finished) {
      finished = true
      try {
        observer.fail(e)
      } catch (inner) {
        onError(inner)
      }
    }
    throw e
  }
  const wrapped: AsyncIterableIterator<T> = {
    // No rest-argument spread per chunk: `for await` always calls next() without a value.
    next: (value?: undefined) => (value === undefined ? it.next() : it.next(value)).then(onResult, onFailure),
    return: (value?: unknown) => {
      if (!finished) {
        finished = true
        try {
          observer.cancel()
        } catch (e) {
          onError(e)
        }
      }
      return it.return ? it.return(value) : Promise.resolve({ done: true, value: value as T })
    },
    throw: (e?: unknown) => (it.throw ? it.throw(e).then(onResult, onFailure) : Promise.reject(e)),
    [Symbol.asyncIterator]() {
      return this
    },
  }
  return wrapped
}
