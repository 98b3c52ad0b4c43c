import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'

/** A Node request handler; the proxy pipes bytes between `req`/`res` and the provider without buffering. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>

/** Proxy handlers by provider; each is mounted at `/proxy/<provider>/v1/*`. */
export interface ProxyHandlers {
  openai?: NodeHandler
  anthropic?: NodeHandler
}

/**
 * Mounts the proxy handlers. The routes live in their own encapsulated context whose only content-type
 * parser leaves the body unread, so the handler receives the raw, still-flowing request stream.
 */
export async function mountProxy(app: FastifyInstance, handlers: ProxyHandlers): Promise<void> {
  const entries = Object.entries(handlers).filter((e): e is [string, NodeHandler] => typeof e[1] === 'function')
  if (entries.length === 0) return
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null))
    for (const [provider, handler] of entries) {
      scope.route({
        method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
        url: `/proxy/${provider}/v1/*`,
        config: { role: 'ingest' },
        handler: async (request, reply) => {
          reply.hijack()
          await handler(request.raw, reply.raw)
        },
      })
    }
  })
}
