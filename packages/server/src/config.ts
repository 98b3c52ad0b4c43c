import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { z } from 'zod'
import { type AlertsConfig, alertsConfigSchema, parseAlertsConfig } from './alerts/alerts-config.js'
import { securityConfigSchema } from './auth/security-config.js'
import { ServerError } from './errors.js'
import { otlpConfigSchema } from './otlp/otlp-forwarder.js'
import { proxyConfigSchema } from './proxy/collector-proxy.js'
import { retentionPolicySchema } from './retention/retention-policy.js'
import { STORE_NAME } from './storage/backend-common.js'
import { isSharedStoreUrl } from './storage/open-shared-store.js'

/**
 * Sections owned by other areas (alerts, auth, retention, proxy) register their zod schema here.
 * Until an area provides one, its section is accepted as any JSON object and handed over untouched.
 * The top level is strict: an unknown key is an error naming the key.
 */
export const sectionSchemas = {
  alerts: alertsConfigSchema,
  auth: securityConfigSchema,
  retention: retentionPolicySchema,
  proxy: proxyConfigSchema,
  otlp: otlpConfigSchema,
}

const port = z.coerce.number().int().min(0).max(65535)

/** The collector's configuration: flags, env vars (PROMPTLEDGER_*) and the JSON config file share it. */
export const serverConfigSchema = z.strictObject({
  port: port.default(7420),
  host: z.string().min(1).default('127.0.0.1'),
  data: z.string().min(1).default('./promptledger-data'),
  /**
   * Where records are stored: `sqlite` (the default: `ledger.db` under `data`), a PostgreSQL URL
   * (`postgres://user:password@host:5432/db`) or a ClickHouse HTTP URL marked `clickhouse+`
   * (`clickhouse+http://user:password@host:8123`, or `clickhouse+https://…`; the mark tells it from any other HTTP
   * URL, and says the collector speaks HTTP, not the native protocol of port 9000). Several collectors may share a
   * PostgreSQL or ClickHouse store. Keys, the audit trail and the data keys stay under `data` either way.
   */
  storage: z
    .string()
    .refine((v) => v === 'sqlite' || isSharedStoreUrl(v), {
      message: "expected 'sqlite', a postgres:// URL or a clickhouse+http(s):// URL",
    })
    .default('sqlite'),
  /** The PostgreSQL schema, or the ClickHouse database, that holds the tables (created if missing). */
  storageSchema: z.string().regex(STORE_NAME, 'lower-case letters, digits and _').default('promptledger'),
  /** Name of the collector's own sealed stream; defaults to `collector-<hostname>`. */
  stream: z.string().min(1).max(1024).optional(),
  /** Largest accepted request body in bytes (413 above it). */
  bodyLimit: z
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  /** Redact ingested records again with the server's own policy (defence in depth). */
  redact: z.boolean().default(true),
  /**
   * What the server logs (JSON lines on stderr): `warn` by default under `promptledger serve` (errors, lost records,
   * failed deliveries), `info` adds a line per request. Unset when embedding `startServer`: nothing is logged.
   */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  alerts: sectionSchemas.alerts.optional(),
  auth: sectionSchemas.auth.optional(),
  retention: sectionSchemas.retention.optional(),
  proxy: sectionSchemas.proxy.optional(),
  /** Forward stored records as OpenTelemetry GenAI spans to an OTLP/HTTP endpoint (see otlp/otlp-forwarder.ts). */
  otlp: sectionSchemas.otlp.optional(),
})

export type ServerConfig = z.infer<typeof serverConfigSchema> & { stream: string; alerts: AlertsConfig }

/** Where configuration comes from; later sources win: file < env < flags. */
export interface ConfigSources {
  flags?: {
    port?: string | number
    host?: string
    data?: string
    storage?: string
    storageSchema?: string
    config?: string
    openaiUpstream?: string
    anthropicUpstream?: string
    logLevel?: string
  }
  env?: Record<string, string | undefined>
  /** Reads the config file; injectable for tests. */
  readFile?: (path: string) => string
}

/**
 * Builds the validated configuration once, at start.
 *
 * @example
 * const config = loadConfig({ flags: { port: '0' }, env: process.env })
 */
export function loadConfig(sources: ConfigSources = {}): ServerConfig {
  const env = sources.env ?? {}
  const flags = sources.flags ?? {}
  const configPath = flags.config ?? env['PROMPTLEDGER_CONFIG']
  let fromFile: Record<string, unknown> = {}
  if (configPath) {
    const read = sources.readFile ?? ((p: string) => readFileSync(p, 'utf8'))
    let text: string
    try {
      text = read(configPath)
    } catch (cause) {
      throw new ServerError('CONFIG_INVALID', `cannot read config file ${configPath}`, { cause })
    }
    try {
      fromFile = JSON.parse(text) as Record<string, unknown>
    } catch (cause) {
      throw new ServerError('CONFIG_INVALID', `config file ${configPath} is not valid JSON`, { cause })
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) {
      throw new ServerError('CONFIG_INVALID', `config file ${configPath} must hold a JSON object`)
    }
  }
  const merged: Record<string, unknown> = { ...fromFile }
  const overlay = (key: string, value: unknown) => {
    if (value !== undefined && value !== '') merged[key] = value
  }
  overlay('port', env['PROMPTLEDGER_PORT'])
  overlay('host', env['PROMPTLEDGER_HOST'])
  overlay('data', env['PROMPTLEDGER_DATA'])
  overlay('storage', env['PROMPTLEDGER_STORAGE'])
  overlay('storageSchema', env['PROMPTLEDGER_STORAGE_SCHEMA'])
  overlay('logLevel', env['PROMPTLEDGER_LOG_LEVEL'])
  if (env['PROMPTLEDGER_OTLP_ENDPOINT']) {
    merged['otlp'] = { ...(merged['otlp'] as object | undefined), endpoint: env['PROMPTLEDGER_OTLP_ENDPOINT'] }
  }
  // The encryption master key (base64, 32 bytes) for containers; never logged or echoed in errors.
  if (env['PROMPTLEDGER_MASTER_KEY']) {
    merged['auth'] = { ...(merged['auth'] as object | undefined), masterKey: env['PROMPTLEDGER_MASTER_KEY'] }
  }
  overlay('port', flags.port)
  overlay('host', flags.host)
  overlay('data', flags.data)
  overlay('storage', flags.storage)
  overlay('storageSchema', flags.storageSchema)
  overlay('logLevel', flags.logLevel)
  // The proxy's upstreams: flags (`--openai-upstream`, `--anthropic-upstream`) over env over the file's `proxy` section.
  const upstreams = {
    openaiUpstream: flags.openaiUpstream || env['PROMPTLEDGER_OPENAI_UPSTREAM'],
    anthropicUpstream: flags.anthropicUpstream || env['PROMPTLEDGER_ANTHROPIC_UPSTREAM'],
  }
  for (const [key, value] of Object.entries(upstreams)) {
    if (value) merged['proxy'] = { ...(merged['proxy'] as object | undefined), [key]: value }
  }
  const parsed = serverConfigSchema.safeParse(merged)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    // An unknown key is named with its full path (`alerts.rules.latency_p95.treshold`), not just its last part.
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : ''
    const where = [...issue.path.map(String), ...(keys ? [keys] : [])].join('.') || '(root)'
    throw new ServerError('CONFIG_INVALID', `invalid config at ${where}: ${issue.message}`, { path: where })
  }
  // Defaults filled in even without an `alerts` section; the env var adds a webhook without a file.
  const alerts = parseAlertsConfig(parsed.data.alerts, { envWebhook: env['PROMPTLEDGER_ALERT_WEBHOOK'] })
  return { ...parsed.data, alerts, stream: parsed.data.stream ?? `collector-${hostname()}` }
}
