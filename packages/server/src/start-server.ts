import { chmodSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import * as sdk from '@promptledger/sdk'
import type { FastifyInstance } from 'fastify'
import { openAlertsArea } from './alerts/alerts-area.js'
import { dashboardRoutes } from './api/routes/dashboard-routes.js'
import { type AppOptions, createApp } from './app.js'
import { openSecureServer } from './auth/secure-app.js'
import { indexingOptions } from './auth/security-context.js'
import type { ServerConfig } from './config.js'
import { ServerError } from './errors.js'
import { createMetrics } from './metrics/registry.js'
import { startOtlpForwarder } from './otlp/otlp-forwarder.js'
import { createCollectorProxy, type IngestSink } from './proxy/collector-proxy.js'
import { createProxyAuthorizer } from './proxy/proxy-auth.js'
import { liveCollector, writeRunningMarker } from './running-marker.js'
import { redactUrl } from './storage/backend-common.js'
import { openSharedStore } from './storage/open-shared-store.js'
import { openSqliteStorage } from './storage/sqlite/sqlite-storage.js'
import type { Storage } from './storage/storage.js'

export interface RunningServer {
  app: FastifyInstance
  /** e.g. http://127.0.0.1:7420 (the real port when 0 was asked). */
  url: string
  port: number
  /** The SQLite file, or the PostgreSQL or ClickHouse URL with its password masked. */
  databasePath: string
  /** Whether ingested records pass the server's own redaction. */
  redacting: boolean
  /** Whether record content is encrypted at rest under per-user keys. */
  encrypting: boolean
  /** Where the proxy's `/proxy/openai/v1/*` and `/proxy/anthropic/v1/*` calls go. */
  upstreams: { openai: string; anthropic: string }
  /** Auth mode, to print at start: keys required, or loopback-only without keys. */
  authNotice: string
  /** Where stored records go as OTLP spans (the password of its URL masked), when the `otlp` section is set. */
  otlpEndpoint: string | null
  close(): Promise<void>
}

/** The server's redaction policy, when the SDK provides the engine. */
function serverRedactor(): sdk.Redactor | undefined {
  const factory = (sdk as unknown as { createRedactor?: (o?: sdk.RedactorOptions) => sdk.Redactor }).createRedactor
  return typeof factory === 'function' ? factory() : undefined
}

/**
 * Opens the store under `config.data` and listens.
 *
 * @example
 * const server = await startServer(loadConfig({ flags: { port: 0 } }))
 * console.log(server.url)
 */
export async function startServer(
  config: ServerConfig,
  extra: Pick<AppOptions, 'plugins' | 'routes' | 'proxy' | 'logger'> = {},
): Promise<RunningServer> {
  // One collector per data dir on SQLite: a second would seal the same stream into the same file (shared stores keep
  // their records elsewhere, and their collectors may share a data dir for its keys: see docs/architecture.md).
  const other = await liveCollector(config.data)
  if (other !== null && config.storage === 'sqlite') {
    throw new ServerError(
      'CONFIG_INVALID',
      `data: ${config.data} is in use by the collector at ${other.url} (pid ${other.pid}); stop it or pass another --data`,
      { path: 'data' },
    )
  }
  // Keys, audit and encryption come first: a keyless non-loopback host is refused before anything opens.
  const secure = openSecureServer(config)
  let log: FastifyInstance['log'] | undefined
  let storage: Storage
  let databasePath: string
  if (config.storage === 'sqlite') {
    databasePath = join(config.data, 'ledger.db')
    const created = !existsSync(databasePath)
    storage = openSqliteStorage({
      path: databasePath,
      ...indexingOptions(secure.security),
      // The batches a stopped writer thread held were answered 503; the next batch starts a new thread.
      onError: (err) => log?.error({ err }, err.message),
    })
    if (created) chmodSync(databasePath, 0o600)
  } else {
    try {
      ;({ storage, name: databasePath } = await openSharedStore(
        config.storage,
        config.storageSchema,
        indexingOptions(secure.security),
      ))
    } catch (err) {
      secure.security.close()
      throw err
    }
  }
  let redactor: sdk.Redactor | undefined
  if (config.redact) {
    redactor = serverRedactor()
  }
  const secured = secure.appOptions(storage)
  const alerts = openAlertsArea({
    config: config.alerts,
    storage,
    dataDir: config.data,
    onError: (what, err) => log?.error({ err }, `alerts: ${what} failed`),
  }).appOptions()
  // The proxy exists before the app (it is mounted by it) and reaches the app's ingest path once built.
  let proxyIngest: IngestSink | undefined
  const proxy = createCollectorProxy(config.proxy, {
    ingest: () => proxyIngest,
    // Records are built and redacted in the proxy's worker with the server's policy; ingest seals and stores them.
    prepare: { redact: redactor !== undefined },
    // With encryption at rest the worker encrypts the records too, with keys resolved here as calls are handed over.
    ...(secure.security.encrypting
      ? {
          keysFor: (userIds: readonly (string | null)[]) => secure.security.encryptor.batchKeys(userIds),
          tenant: secure.security.encryptor.tenant,
        }
      : {}),
    onError: (err) => log?.warn({ err }, err.message),
  })
  const app = await createApp({
    ...(config.logLevel ? { logger: { level: config.logLevel, stream: process.stderr } } : {}),
    storage,
    stream: config.stream,
    bodyLimit: config.bodyLimit,
    metrics: createMetrics({ defaultMetrics: true }),
    ...(redactor ? { redactor } : {}),
    proxy: { ...proxy.handlers, authorize: createProxyAuthorizer(secure.security.keys, secure.requireKeys) },
    ...extra,
    ...secured,
    plugins: [...(secured.plugins ?? []), ...(alerts.plugins ?? []), ...(extra.plugins ?? [])],
    routes: [...(secured.routes ?? []), ...(alerts.routes ?? []), ...dashboardRoutes(), ...(extra.routes ?? [])],
  })
  log = app.log
  proxyIngest = app.ingest
  const otlp = config.otlp ? startOtlpForwarder(config.otlp, (err) => log?.warn({ err }, err.message)) : null
  if (otlp) app.ingest.on('records', (batch) => otlp.push(batch))
  const retention = secure.startRetention(storage, (err) => app.log.error({ err }, 'retention run failed'))
  app.addHook('onClose', async () => {
    // After the proxy's queued calls are stored (that hook runs first): they are forwarded too.
    await otlp?.close()
    await retention.stop()
    await storage.close()
    secure.security.close()
  })
  // Added after the storage hook on purpose: onClose runs last-in first-out, so queued proxy calls are stored first.
  app.addHook('onClose', async () => {
    await proxy.close()
  })
  // Hooks cannot be added once listening: this one removes the marker written below, the first thing on close.
  let removeMarker = (): void => undefined
  app.addHook('onClose', async () => removeMarker())
  try {
    await app.listen({ port: config.port, host: config.host })
  } catch (err) {
    await app.close()
    throw err
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const host = config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host
  const url = `http://${host}:${port}`
  // The CLI acting on this data dir (an erasure) finds the running collector here and goes through it.
  try {
    // Collectors of a shared store on one data dir: the first one's marker stays (the CLI goes through it).
    if (other === null) removeMarker = writeRunningMarker(config.data, url)
  } catch (err) {
    // Listening already: a server that cannot start must not stay up behind the error.
    await app.close()
    throw err
  }
  return {
    app,
    url,
    port,
    databasePath,
    redacting: redactor !== undefined,
    encrypting: secure.security.encrypting,
    upstreams: proxy.upstreams,
    authNotice: secure.notice,
    otlpEndpoint: config.otlp ? redactUrl(config.otlp.endpoint) : null,
    close: () => app.close(),
  }
}
