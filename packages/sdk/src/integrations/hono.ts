import { BodyTap, beginExchange, DEFAULT_MAX_BODY_BYTES, type HttpCaptureOptions, logExchange } from './http-capture.js'
import { type LedgerLike, reportCaptureError } from './ledger-like.js'

// The parts of Hono's context read here, declared locally so `hono` stays a type-free peer.
interface HonoContextLike {
  req: {
    raw: Request
    method: string
    path: string
    matchedRoutes?: Array<{ method: string; path: string }>
    text(): Promise<string>
  }
  res: Response
}

function routeOf(c: HonoContextLike): string {
  const routes = c.req.matchedRoutes ?? []
  // Middleware is registered as method ALL; the handler's route is the last one with a concrete method.
  for (let i = routes.length - 1; i >= 0; i--) if (routes[i]!.method !== 'ALL') return routes[i]!.path
  return c.req.path
}

/**
 * Hono middleware recording each request: the body, the response body as it streams out (read through a pass-through
 * transform, chunk by chunk, never buffered before sending), the route pattern, status and latency. The request body
 * is read after the response has been produced, from Hono's cache when the handler read it.
 *
 * @example
 * app.use('*', promptLedgerHono(ledger, { prompt: (b) => b.question }))
 */
export function promptLedgerHono(ledger: LedgerLike, options: HttpCaptureOptions = {}) {
  const max = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  return async function promptLedger(c: HonoContextLike, next: () => Promise<void>): Promise<void> {
    let begun: ReturnType<typeof beginExchange> | undefined
    try {
      if (!options.filter || options.filter({ method: c.req.method, path: c.req.path })) begun = beginExchange(options)
    } catch (e) {
      reportCaptureError(e, options.onError)
    }
    await next()
    if (!begun) return
    try {
      const started = begun
      const tap = new BodyTap(max)
      const res = c.res
      let done = false
      const finish = (aborted: boolean) => {
        if (done) return
        done = true
        const request = new BodyTap(max)
        c.req
          .text()
          .then(
            (text) => request.add(text),
            () => undefined, // the handler consumed the raw body itself: the record goes without it
          )
          .then(() =>
            logExchange(
              ledger,
              options,
              {
                method: c.req.method,
                route: routeOf(c),
                status: res.status,
                startTime: started.startTime,
                t0: started.t0,
                requestBody: request,
                requestContentType: c.req.raw.headers.get('content-type') ?? undefined,
                response: tap,
                responseContentType: res.headers.get('content-type') ?? undefined,
                aborted,
              },
              started,
            ),
          )
      }
      if (!res.body) return finish(false)
      const passThrough = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          controller.enqueue(chunk)
          tap.add(chunk)
        },
        flush: () => finish(false),
      })
      c.res = new Response(res.body.pipeThrough(passThrough), res)
      c.req.raw.signal?.addEventListener('abort', () => finish(true), { once: true })
    } catch (e) {
      reportCaptureError(e, options.onError)
    }
  }
}
