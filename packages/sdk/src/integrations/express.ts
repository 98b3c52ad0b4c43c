import type { IncomingMessage, ServerResponse } from 'node:http'
import type { HttpCaptureOptions } from './http-capture.js'
import type { LedgerLike } from './ledger-like.js'
import { observeNodeExchange } from './node-exchange.js'

// The parts of Express's request read here, declared locally so `express` stays a type-free peer.
interface ExpressRequest extends IncomingMessage {
  body?: unknown
  baseUrl?: string
  path?: string
  route?: { path?: unknown }
}

/**
 * Express middleware recording each request: the body (`req.body` when a body parser ran, else the raw body),
 * the response as it is written (streams included), the matched route pattern, status and latency.
 * Register it first, before the routes and body parsers.
 *
 * @example
 * app.use(promptLedgerExpress(ledger, { prompt: (b) => b.messages, response: (b) => b.reply }))
 */
export function promptLedgerExpress(ledger: LedgerLike, options: HttpCaptureOptions = {}) {
  return function promptLedger(req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void {
    const r = req as ExpressRequest
    observeNodeExchange(req, res, ledger, options, {
      // The route pattern (`/chat/:id`), not the path: low cardinality and no ids in the record.
      route: () =>
        typeof r.route?.path === 'string'
          ? `${r.baseUrl ?? ''}${r.route.path}`
          : (r.path ?? (req.url ?? '/').split('?')[0] ?? '/'),
      // Express 5 leaves `req.body` undefined unless a body parser ran; then the raw tapped body is used.
      parsedBody: () => r.body,
    })
    next()
  }
}
