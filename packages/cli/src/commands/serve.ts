import { loadConfig, type RunningServer, startServer } from '@promptledger/server'
import type { Command } from 'commander'
import { CliError, EXIT_PROBLEM } from '../util/exit-codes.js'

interface ServeFlags {
  port?: string
  host?: string
  data?: string
  storage?: string
  storageSchema?: string
  config?: string
  openaiUpstream?: string
  anthropicUpstream?: string
  logLevel?: string
}

/**
 * `promptledger serve`: the collector (ingest and query API, proxy, dashboard) on one port.
 *
 * @example
 * promptledger serve --port 7420 --data ./promptledger-data
 */
export function register(program: Command): void {
  program
    .command('serve')
    .description('Run the collector: HTTP ingest and query API over SQLite, PostgreSQL or ClickHouse')
    .option('--port <port>', 'port to listen on (PROMPTLEDGER_PORT; default 7420, 0 picks a free one)')
    .option('--host <host>', 'address to bind (PROMPTLEDGER_HOST; default 127.0.0.1)')
    .option('--data <dir>', 'data directory (PROMPTLEDGER_DATA; default ./promptledger-data)')
    .option(
      '--storage <store>',
      "'sqlite' (under --data), a postgres:// URL or a clickhouse+http(s):// URL (PROMPTLEDGER_STORAGE; default sqlite)",
    )
    .option(
      '--storage-schema <name>',
      'with --storage: the PostgreSQL schema or ClickHouse database (PROMPTLEDGER_STORAGE_SCHEMA; default promptledger)',
    )
    .option('--config <file>', 'JSON config file (PROMPTLEDGER_CONFIG)')
    .option(
      '--openai-upstream <url>',
      'where /proxy/openai/v1/* goes (PROMPTLEDGER_OPENAI_UPSTREAM; default https://api.openai.com)',
    )
    .option(
      '--anthropic-upstream <url>',
      'where /proxy/anthropic/v1/* goes (PROMPTLEDGER_ANTHROPIC_UPSTREAM; default https://api.anthropic.com)',
    )
    .option(
      '--log-level <level>',
      'JSON log lines on stderr: fatal, error, warn, info (a line per request), debug, trace or silent (PROMPTLEDGER_LOG_LEVEL; default warn)',
    )
    .action(async (flags: ServeFlags) => {
      const config = loadConfig({ flags, env: process.env })
      // The command logs what goes wrong by default; an embedding app chooses for itself (see `logLevel`).
      config.logLevel ??= 'warn'
      const server = await startServer(config).catch((err: unknown) => {
        throw portTaken(err, config.host, config.port) ?? err
      })
      process.stdout.write(banner(server, config.stream))
      await untilSignal(server)
    })
}

/** The error to show for a port another process holds (a collector already running, most often); null otherwise. */
export function portTaken(err: unknown, host: string, port: number): CliError | null {
  if ((err as { code?: string }).code !== 'EADDRINUSE') return null
  return new CliError(
    `${host}:${port} is taken (a collector already running?): choose another with --port (0 picks a free one)`,
    EXIT_PROBLEM,
  )
}

/** What `serve` prints once listening: the URL first (scripts and tests read it), then where everything is. */
export function banner(server: RunningServer, stream: string): string {
  const { openai, anthropic } = server.upstreams
  return (
    [
      `promptledger collector listening on ${server.url}`,
      `  dashboard: ${server.url}/`,
      `  proxy: OPENAI_BASE_URL=${server.url}/proxy/openai/v1 (to ${openai})`,
      `         ANTHROPIC_BASE_URL=${server.url}/proxy/anthropic (to ${anthropic})`,
      `  data: ${server.databasePath}`,
      `  stream: ${stream}`,
      `  server-side redaction: ${server.redacting ? 'on' : 'off'}`,
      `  encryption at rest: ${server.encrypting ? 'on (a data key per user)' : 'off'}`,
      `  auth: ${server.authNotice}`,
      ...(server.otlpEndpoint ? [`  otlp: stored records as spans to ${server.otlpEndpoint}`] : []),
    ].join('\n') + '\n'
  )
}

/** Serves until SIGINT or SIGTERM, then closes the server gracefully (queued records are stored first). */
export function untilSignal(server: RunningServer): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      server.close().then(resolve, resolve)
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}
