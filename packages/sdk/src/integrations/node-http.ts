import type { IncomingMessage, ServerResponse } from 'node:http'
import type { HttpCaptureOptions } from './http-capture.js'
import type { LedgerLike } from './ledger-like.js'
import { observeNodeExchange } from './node-exchange.js'

/** Options of `observeHandler`: the middleware options plus how to name a request's route. */
export interface NodeHttpCaptureOptions extends HttpCaptureOptions {
  /** The route recorded for a request; default the URL path without its query (which may carry personal data). */
  route?: (req: IncomingMessage) => string
}

type Handler<Req extends IncomingMessage, Res extends ServerResponse> = (req: Req, res: Res) => unknown

/**
 * Wraps a plain `node:http` request handler so every exchange is recorded: request body (prompt), response body
 * (streamed responses included, tapped as written), route, status and latency. The handler runs unchanged.
 *
 * @example
 * http.createServer(observeHandler(ledger, handler, { prompt: (b) => b.question, response: (b) => b.answer })).listen(3000)
 */
export function observeHandler<Req extends IncomingMessage, Res extends ServerResponse>(
  ledger: LedgerLike,
  handler: Handler<Req, Res>,
  options: NodeHttpCaptureOptions = {},
): Handler<Req, Res> {
  const route = options.route
  return function observedHandler(this: unknown, req: Req, res: Res) {
    observeNodeExchange(req, res, ledger, options, {
      route: () => (route ? route(req) : ((req.url ?? '/').split('?')[0] ?? '/')),
    })
    return handler.call(this, req, res)
  }
}
