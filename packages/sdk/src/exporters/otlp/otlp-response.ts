/** Reading an OTLP/HTTP answer: the error body of a failure, the partial success of a 2xx. */

/** The message of an OTLP error body (a `google.rpc.Status` in JSON), shortened; '' when there is none. */
export function statusMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown }
    return typeof body.message === 'string' ? body.message.slice(0, 300) : ''
  } catch {
    return ''
  }
}

/** An `ExportTraceServiceResponse` with `partialSuccess.rejectedSpans` > 0; null for a full success. */
export function partialSuccess(text: string): { count: number; message: string } | null {
  try {
    const body = JSON.parse(text) as { partialSuccess?: { rejectedSpans?: unknown; errorMessage?: unknown } }
    const count = Number(body.partialSuccess?.rejectedSpans ?? 0)
    if (!(count > 0)) return null
    const message = body.partialSuccess?.errorMessage
    return { count, message: typeof message === 'string' ? message.slice(0, 300) : '' }
  } catch {
    return null
  }
}
