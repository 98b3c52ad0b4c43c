import type { IncomingMessage, ServerResponse } from 'node:http'
import { BodyTap, beginExchange, DEFAULT_MAX_BODY_BYTES, type HttpCaptureOptions, logExchange } from './http-capture.js'
import { type LedgerLike, reportCaptureError } from './ledger-like.js'

/** How a framework names the route and hands over a body it parsed itself (read when the response ends). */
export interface NodeExchangeHooks {
  route(): string
  parsedBody?(): unknown
}

type Write = (chunk: unknown, ...rest: unknown[]) => boolean
type End = (chunk?: unknown, ...rest: unknown[]) => ServerResponse

/**
 * Records one node:http exchange (also Express, whose req/res are node's). Both bodies are tapped as they pass:
 * the request through the instance's `push` (what node's HTTP parser calls for each body chunk, so the app's own
 * reading is untouched), the response through `write`/`end`. The record is logged on `finish`, or on `close` as
 * aborted; the response itself is never held.
 */
export function observeNodeExchange(
  req: IncomingMessage,
  res: ServerResponse,
  ledger: LedgerLike,
  options: HttpCaptureOptions,
  hooks: NodeExchangeHooks,
): void {
  try {
    const method = req.method ?? 'GET'
    if (options.filter && !options.filter({ method, path: (req.url ?? '/').split('?')[0] ?? '/' })) return
    const begun = beginExchange(options)
    const max = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
    const requestTap = new BodyTap(max)
    const responseTap = new BodyTap(max)
    const push = req.push
    req.push = function tappedPush(this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding) {
      requestTap.add(chunk, encoding)
      return push.call(this, chunk, encoding)
    }
    const write = res.write as Write
    const end = res.end as End
    res.write = function tappedWrite(this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
      responseTap.add(chunk, typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : undefined)
      return write.call(this, chunk, ...rest)
    } as ServerResponse['write']
    res.end = function tappedEnd(this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
      if (typeof chunk !== 'function')
        responseTap.add(chunk, typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : undefined)
      return end.call(this, chunk, ...rest)
    } as ServerResponse['end']
    let done = false
    const finish = (aborted: boolean) => {
      if (done) return
      done = true
      const parsed = hooks.parsedBody?.()
      logExchange(
        ledger,
        options,
        {
          method,
          route: hooks.route(),
          status: res.statusCode,
          startTime: begun.startTime,
          t0: begun.t0,
          requestBody: parsed !== undefined ? parsed : requestTap,
          requestContentType: req.headers['content-type'],
          response: responseTap,
          responseContentType: res.getHeader('content-type')?.toString(),
          aborted,
        },
        begun,
      )
    }
    res.once('finish', () => finish(false))
    res.once('close', () => finish(!res.writableFinished))
  } catch (e) {
    reportCaptureError(e, options.onError)
  }
}
