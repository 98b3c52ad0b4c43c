import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import type { FastifyInstance } from 'fastify'
import type { ProxyAuthorizer } from '../proxy/proxy-auth.js'
import type { AttachOptions } from '../proxy/socket-forwarder.js'

/** A Node request handler; the proxy pipes bytes between `req`/`res` and the provider without buffering. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>

/** Proxy handlers by provider; each is mounted at `/proxy/<provider>/v1/*`. */
export interface ProxyHandlers {
  openai?: NodeHandler
  anthropic?: NodeHandler
  /**
   * The auth decision for proxied calls on a raw request (see proxy/proxy-auth.ts). When given, proxied calls are
   * answered straight from the HTTP server's request event and never enter Fastify; without it they go through the
   * Fastify routes and the app's auth hook.
   */
  authorize?: ProxyAuthorizer
  /**
   * Serves proxied calls at the socket, ahead of node:http (see proxy/socket-forwarder.ts); used with `authorize`.
   * Connections whose requests are anything else reach the server's usual request path.
   */
  attach?: (server: Server, opts: AttachOptions) => void
}

const PROVIDERS = ['openai', 'anthropic'] as const
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

/**
 * Mounts the proxy handlers. The routes live in their own encapsulated context whose only content-type
 * parser leaves the body unread, so the handler receives the raw, still-flowing request stream. They stay
 * registered (the auth matrix and `inject()` see them) even when the raw fast path below answers real traffic.
 */
export async function mountProxy(app: FastifyInstance, handlers: ProxyHandlers): Promise<void> {
  const entries = PROVIDERS.flatMap((p) => (typeof handlers[p] === 'function' ? [[p, handlers[p]] as const] : []))
  if (entries.length === 0) return
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null))
    for (const [provider, handler] of entries) {
      scope.route({
        method: METHODS as ['GET'],
        url: `/proxy/${provider}/v1/*`,
        config: { role: 'ingest' },
        handler: async (request, reply) => {
          reply.hijack()
          await handler(request.raw, reply.raw)
        },
      })
    }
  })
  if (handlers.authorize) installFastPath(app, entries, handlers.authorize)
  if (handlers.authorize && handlers.attach) {
    const duration = app.serverMetrics?.httpDuration
    handlers.attach(app.server, {
      authorize: handlers.authorize,
      ...(duration
        ? {
            onResponse: (method, provider, status, seconds) =>
              duration.observe({ method, route: `/proxy/${provider}/v1/*`, status: String(status) }, seconds),
          }
        : {}),
    })
  }
}

/**
 * Answers proxied calls from the HTTP server's `request` event, ahead of Fastify: routing, hooks, the request
 * object and hijacking cost about as much CPU as the proxy itself, on every call. What Fastify would have added
 * is done here by hand: the auth decision (same rules as the auth hook) and the request-duration metric (after the
 * response, so it is off the response path).
 */
function installFastPath(
  app: FastifyInstance,
  entries: ReadonlyArray<readonly [string, NodeHandler]>,
  authorize: ProxyAuthorizer,
): void {
  const server = app.server
  const fastify = server.listeners('request')[0] as ((req: IncomingMessage, res: ServerResponse) => void) | undefined
  if (!fastify) return
  const prefixes = entries.map(([provider, handler]) => ({
    prefix: `/proxy/${provider}/v1/`,
    route: `/proxy/${provider}/v1/*`,
    handler,
  }))
  const duration = app.serverMetrics?.httpDuration
  server.removeListener('request', fastify)
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? ''
    // Cheap reject first: everything that is not proxy traffic goes to Fastify untouched.
    const m =
      url.startsWith('/proxy/') && METHODS.includes(req.method ?? '')
        ? prefixes.find((p) => url.startsWith(p.prefix))
        : undefined
    if (!m) {
      fastify.call(server, req, res)
      return
    }
    const t0 = performance.now()
    if (duration) {
      res.once('finish', () => {
        duration.observe(
          { method: req.method ?? '', route: m.route, status: String(res.statusCode) },
          (performance.now() - t0) / 1000,
        )
      })
    }
    let denial: ReturnType<ProxyAuthorizer>
    try {
      denial = authorize(req)
    } catch (err) {
      // The key store failed (auth.db unreadable): fail closed, as the hook's error path would.
      app.log.error({ err }, 'proxy: the auth check failed')
      denial = { status: 401, message: 'the API key could not be checked' }
    }
    if (denial) {
      const body = JSON.stringify({
        error: { code: denial.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', message: denial.message },
      })
      res.writeHead(denial.status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'cache-control': 'no-store',
      })
      res.end(body)
      return
    }
    const done = m.handler(req, res)
    if (done) {
      done.catch((err: unknown) => {
        app.log.error({ err }, 'proxy: the handler failed')
        if (!res.headersSent) res.writeHead(500).end()
        else res.destroy()
      })
    }
  })
}
