import type { IncomingMessage, ServerResponse } from 'node:http'
import type { HttpCaptureOptions } from './http-capture.js'
import type { LedgerLike } from './ledger-like.js'
import { observeNodeExchange } from './node-exchange.js'

// The parts of Fastify read here, declared locally so `fastify` stays a type-free peer.
interface FastifyRequestLike {
  raw: IncomingMessage
  body?: unknown
  url: string
  routeOptions?: { url?: string }
}
interface FastifyReplyLike {
  raw: ServerResponse
}
interface FastifyLike {
  addHook(
    name: 'onRequest',
    hook: (req: FastifyRequestLike, reply: FastifyReplyLike, done: () => void) => void,
  ): unknown
}

/**
 * Fastify plugin recording each request: the parsed body (`request.body`), the response as it is written to the
 * socket (serialized JSON, strings, buffers and streams alike), the route pattern, status and latency. Applies to the
 * whole instance (it is not encapsulated). Hook: `onRequest`, which taps the raw request and response, so the bytes
 * recorded are the bytes sent, after every `onSend` hook.
 *
 * @example
 * await app.register(promptLedgerFastify(ledger, { response: (b) => b.answer }))
 */
export function promptLedgerFastify(ledger: LedgerLike, options: HttpCaptureOptions = {}) {
  function promptLedger(fastify: FastifyLike, _opts: unknown, done: (err?: Error) => void): void {
    fastify.addHook('onRequest', (request, reply, next) => {
      observeNodeExchange(request.raw, reply.raw, ledger, options, {
        route: () => request.routeOptions?.url ?? request.url.split('?')[0] ?? '/',
        parsedBody: () => request.body,
      })
      next()
    })
    done()
  }
  // What `fastify-plugin` sets: hooks apply to the parent instance, not only to an encapsulated child.
  return Object.assign(promptLedger, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'promptledger',
  })
}
