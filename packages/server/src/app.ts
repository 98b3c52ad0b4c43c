import type { Redactor, UnsealedRecord } from '@promptledger/sdk'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { installErrorHandlers } from './api/error-handler.js'
import { mountProxy, type ProxyHandlers } from './api/proxy-mount.js'
import type { RouteDef } from './api/route-table.js'
import { recordsRoutes } from './api/routes/records-routes.js'
import { systemRoutes } from './api/routes/system-routes.js'
import { IngestService } from './ingest/ingest-service.js'
import { createMetrics, type ServerMetrics } from './metrics/registry.js'
import type { Storage } from './storage/storage.js'

export interface AppOptions {
  storage: Storage
  /** The collector's own sealed stream. */
  stream: string
  /** The server's redaction policy for ingested records (defence in depth); none keeps client redaction only. */
  redactor?: Redactor
  /** Encrypts ingested content before sealing (see auth/security-context.ts). */
  encrypt?: (record: UnsealedRecord) => void
  /** Persists data keys created by `encrypt` before each batch is stored (which waits for it). */
  commitKeys?: () => void | Promise<void>
  /** Records accepted and not yet stored above which ingest answers 503 with Retry-After; default 20,000. */
  maxPendingRecords?: number
  /** Largest request body in bytes; default 16 MiB. */
  bodyLimit?: number
  metrics?: ServerMetrics
  /**
   * Extra areas (auth, alerts, retention, dashboard). Each is called with the root instance (not an
   * encapsulated child), after the core hooks and before the routes, so a hook it adds covers every route:
   * auth adds its `onRequest` hook here and reads `request.routeOptions.config.role`.
   */
  plugins?: Array<(app: FastifyInstance) => void | Promise<void>>
  /** Extra routes declared like the core ones (they join the route table). */
  routes?: RouteDef[]
  /** Mounted at /proxy/openai/v1/* and /proxy/anthropic/v1/*. */
  proxy?: ProxyHandlers
  logger?: FastifyServerOptions['logger']
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route of the API with its role: the source of the auth matrix. */
    routeTable: readonly RouteDef[]
    ingest: IngestService
    serverMetrics: ServerMetrics
  }
}

/**
 * Builds the collector app without listening: tests call `app.inject()`, `startServer()` listens.
 *
 * @example
 * const app = await createApp({ storage: openSqliteStorage({ path: ':memory:' }), stream: 'collector-test' })
 * const res = await app.inject({ method: 'GET', url: '/healthz' })
 */
export async function createApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 16 * 1024 * 1024,
    // Record ids and cursors are short; a long URL is a mistake or an attack.
    routerOptions: { maxParamLength: 200 },
  })
  const metrics = options.metrics ?? createMetrics()
  const ingest = new IngestService({
    storage: options.storage,
    stream: options.stream,
    metrics,
    ...(options.redactor ? { redactor: options.redactor } : {}),
    ...(options.encrypt ? { encrypt: options.encrypt } : {}),
    ...(options.commitKeys ? { commitKeys: options.commitKeys } : {}),
    ...(options.maxPendingRecords !== undefined ? { maxPendingRecords: options.maxPendingRecords } : {}),
  })
  // Record-derived metrics (requests, latency, tokens, cost, redactions) update once per stored batch.
  ingest.on('records', (batch) => metrics.llm.observe(batch))
  installErrorHandlers(app)
  // Ingest reads raw bytes: UTF-8 is checked strictly and JSON/NDJSON parsed in one place (parse-batch.ts).
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(
    ['application/json', 'application/x-ndjson', 'application/ndjson'],
    { parseAs: 'buffer' },
    (_request, body, done) => done(null, body),
  )
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    )
  })
  const routes: RouteDef[] = [
    ...recordsRoutes({ storage: options.storage, ingest, metrics }),
    ...systemRoutes({ storage: options.storage, metrics, stream: options.stream }),
    ...(options.routes ?? []),
  ]
  app.decorate('routeTable', routes)
  app.decorate('ingest', ingest)
  app.decorate('serverMetrics', metrics)
  for (const plugin of options.plugins ?? []) await plugin(app)
  for (const route of routes) {
    app.route({
      ...(route.options ?? {}),
      method: route.method,
      url: route.url,
      config: { role: route.role, readsContent: route.readsContent ?? false },
      handler: route.handler,
    })
  }
  // PROXY MOUNT POINT: the proxy's (req, res) handler factories are passed as `options.proxy`.
  if (options.proxy) await mountProxy(app, options.proxy)
  return app
}
