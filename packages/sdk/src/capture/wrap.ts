import type { LogInput } from '../record/log-input.js'

/** Fields logged with every call of a wrapped function, plus optional extractors. */
export interface WrapOptions<A extends unknown[], R> extends Omit<LogInput, 'prompt' | 'response' | 'latencyMs'> {
  /** Name written to `metadata.function`; default: the function's own name. */
  name?: string
  /** The prompt of one call; default: the first argument when it is a string, else `input`. */
  prompt?: (args: A) => string | undefined
  /** The response of one call; default: the result itself. */
  response?: (result: R) => unknown
  /** Any other fields derived from the call (usage, model, messages…). */
  extract?: (args: A, result: R | undefined, error: unknown) => Partial<LogInput>
}

/** What `wrap` needs from a ledger. */
export interface LogSink {
  log(input: LogInput): unknown
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === 'function'
}

/**
 * Wraps any function (usually async): `this`, arguments and return value pass through untouched,
 * an error is logged as `status: error` and rethrown as the same object. Logging never throws here:
 * `log()` itself never throws, and extractor failures are caught and logged as part of the record.
 *
 * @example
 * const generate = wrapFunction(ledger, async (prompt: string) => callModel(prompt), { model: 'gpt-4o' })
 */
export function wrapFunction<A extends unknown[], R, T>(
  sink: LogSink,
  fn: (this: T, ...args: A) => R,
  opts: WrapOptions<A, Awaited<R>> = {},
): (this: T, ...args: A) => R {
  const { name, prompt, response, extract, ...fields } = opts
  const fnName = name ?? fn.name ?? 'anonymous'

  function record(
    args: A,
    start: number,
    startWall: number,
    result: Awaited<R> | undefined,
    error: unknown,
    failed: boolean,
  ) {
    const latencyMs = performance.now() - start
    const input: LogInput = {
      ...fields,
      startTime: startWall,
      latencyMs,
      metadata: { ...fields.metadata, function: fnName },
    }
    try {
      const p = prompt ? prompt(args) : typeof args[0] === 'string' ? args[0] : undefined
      if (p !== undefined) input.prompt = p
      else if (args.length > 0 && prompt === undefined) input.input = args[0]
      if (!failed) input.response = response ? response(result as Awaited<R>) : result
      if (extract) Object.assign(input, extract(args, result, error))
    } catch (err) {
      input.metadata = { ...input.metadata, extractor_error: (err as Error)?.message ?? String(err) }
    }
    if (failed) {
      input.status = 'error'
      input.error = thrownError(error)
    }
    sink.log(input)
  }

  return function wrapped(this: T, ...args: A): R {
    const start = performance.now()
    const startWall = Date.now()
    let out: R
    try {
      out = fn.apply(this, args)
    } catch (err) {
      record(args, start, startWall, undefined, err, true)
      throw err
    }
    if (!isThenable(out)) {
      record(args, start, startWall, out as Awaited<R>, undefined, false)
      return out
    }
    return (out as PromiseLike<Awaited<R>>).then(
      (value) => {
        record(args, start, startWall, value, undefined, false)
        return value
      },
      (err: unknown) => {
        record(args, start, startWall, undefined, err, true)
        throw err
      },
    ) as R
  }
}

/**
 * What a wrapped function threw, as the record's error: an Error as it is; a plain object with a `message` (what
 * some HTTP clients throw) keeps its message, `status`/`httpStatus` and `type`/`name`; anything else its text.
 */
function thrownError(error: unknown): Error | { type: string; message: string; httpStatus?: number } {
  if (error instanceof Error) return error
  if (typeof error === 'object' && error !== null) {
    const e = error as { message?: unknown; type?: unknown; name?: unknown; status?: unknown; httpStatus?: unknown }
    const status = typeof e.httpStatus === 'number' ? e.httpStatus : typeof e.status === 'number' ? e.status : undefined
    const type = typeof e.type === 'string' ? e.type : typeof e.name === 'string' ? e.name : 'object'
    const message = typeof e.message === 'string' ? e.message : safeJson(error)
    return status === undefined ? { type, message } : { type, message, httpStatus: status }
  }
  return { type: typeof error, message: String(error) }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
