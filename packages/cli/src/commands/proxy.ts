import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createLedger } from '@promptledger/sdk'
import {
  createProxy,
  DEFAULT_UPSTREAMS,
  isLoopback,
  keylessDenial,
  type ProxyAuthorizer,
  proxyConfigSchema,
} from '@promptledger/server'
import type { Command } from 'commander'
import { CliError, EXIT_PROBLEM } from '../util/exit-codes.js'

interface ProxyFlags {
  port: string
  host: string
  data: string
  stream?: string
  collector?: string
  apiKey?: string
  openaiUpstream?: string
  anthropicUpstream?: string
}

/** The default port: beside a collector's 7420 on the same machine. */
const DEFAULT_PORT = 7421

/**
 * `promptledger proxy`: the zero-code proxy on its own, as a sidecar beside one service. Calls to
 * `/proxy/openai/v1/*` and `/proxy/anthropic/v1/*` are forwarded as `serve`'s proxy forwards them; each call's record
 * goes through an SDK ledger (redaction, sealing into a file ledger under `--data`, encryption when no collector is
 * given) and, with `--collector`, on to a central collector over HTTP with retries and an on-disk spool. It holds no
 * API keys, so it listens on loopback only, and like a keyless collector it serves loopback host names and origins only
 * (no DNS rebinding from a browser).
 *
 * @example
 * promptledger proxy --collector http://collector.internal:7420 --api-key "$PROMPTLEDGER_API_KEY"
 */
export function register(program: Command): void {
  program
    .command('proxy')
    .description(
      'Run the zero-code proxy alone (a sidecar): records to a file ledger and, with --collector, a collector',
    )
    .option('--port <port>', 'port to listen on (0 picks a free one)', String(DEFAULT_PORT))
    .option('--host <host>', 'loopback address to listen on', '127.0.0.1')
    .option('--data <dir>', 'file ledger directory for the records', './promptledger-data')
    .option('--stream <name>', "the ledger's stream (default <hostname>-<pid>)")
    .option('--collector <url>', 'also send every record to this collector (e.g. http://127.0.0.1:7420)')
    .option('--api-key <key>', 'ingest key for --collector (env: PROMPTLEDGER_API_KEY)')
    .option('--openai-upstream <url>', `where OpenAI calls go (default ${DEFAULT_UPSTREAMS.openai})`)
    .option('--anthropic-upstream <url>', `where Anthropic calls go (default ${DEFAULT_UPSTREAMS.anthropic})`)
    .action(async (flags: ProxyFlags) => {
      await runProxy(flags)
    })
}

async function runProxy(flags: ProxyFlags): Promise<void> {
  const port = Number(flags.port)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliError('--port must be an integer 0-65535')
  if (!isLoopback(flags.host)) {
    throw new CliError(
      `--host ${flags.host}: the standalone proxy holds no API keys, so it listens on loopback only; for a proxy that ` +
        'other machines use, run `promptledger serve` and create keys (`promptledger keys create --role ingest`)',
    )
  }
  const upstreams = {
    openai: upstreamFlag('--openai-upstream', flags.openaiUpstream) ?? DEFAULT_UPSTREAMS.openai,
    anthropic: upstreamFlag('--anthropic-upstream', flags.anthropicUpstream) ?? DEFAULT_UPSTREAMS.anthropic,
  }
  const collector = upstreamFlag('--collector', flags.collector)
  const apiKey = flags.apiKey ?? process.env['PROMPTLEDGER_API_KEY']
  const ledger = createLedger({
    dir: flags.data,
    ...(flags.stream ? { stream: flags.stream } : {}),
    ...(collector ? { endpoint: collector, ...(apiKey ? { apiKey } : {}) } : {}),
  })
  // Failures that are not the caller's (a record not taken, a collector down): said, never with content or keys.
  ledger.on('error', (err) => process.stderr.write(`promptledger proxy: ${err.message}\n`))
  ledger.on('warning', (w) => process.stderr.write(`promptledger proxy: ${w.message}\n`))
  const proxy = createProxy({
    upstreams,
    onRecord: (input) => void ledger.log(input),
    onError: (err) => process.stderr.write(`promptledger proxy: ${err.message}\n`),
  })
  await proxy.ready
  // No keys: loopback peers naming a loopback host from a loopback origin only (see keylessDenial).
  const authorize: ProxyAuthorizer = (req) => {
    const denial = keylessDenial(false, req.headers, req.socket.remoteAddress)
    return denial === null ? null : { status: 401, message: denial }
  }
  const server = createServer({ noDelay: true }, (req, res) => {
    const denial = authorize(req)
    if (denial) return answer(res, denial.status, 'UNAUTHORIZED', denial.message)
    if (req.url === '/healthz') return answer(res, 200)
    if (proxy.matches(req.url ?? '')) return proxy(req, res)
    answer(
      res,
      404,
      'NOT_FOUND',
      `no route ${req.method} ${req.url}: the proxy serves /proxy/openai/v1/* and /proxy/anthropic/v1/*`,
    )
  })
  proxy.attach(server, { authorize })
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      void ledger.close()
      reject(
        err.code === 'EADDRINUSE'
          ? new CliError(
              `${flags.host}:${port} is taken: choose another with --port (0 picks a free one)`,
              EXIT_PROBLEM,
            )
          : err,
      )
    })
    server.listen(port, flags.host, resolve)
  })
  const { port: bound } = server.address() as AddressInfo
  const url = `http://${flags.host.includes(':') ? `[${flags.host}]` : flags.host}:${bound}`
  process.stdout.write(
    [
      `promptledger proxy listening on ${url}`,
      `  OPENAI_BASE_URL=${url}/proxy/openai/v1 (to ${upstreams.openai})`,
      `  ANTHROPIC_BASE_URL=${url}/proxy/anthropic (to ${upstreams.anthropic})`,
      `  records: file ledger in ${flags.data} (stream ${ledger.options.stream}), redaction ${ledger.options.redact === false ? 'off' : 'on'}, encryption ${ledger.options.encrypt === false ? 'off' : 'on'}`,
      ...(collector ? [`  collector: ${collector} (retried, spooled to ${flags.data} while unreachable)`] : []),
    ].join('\n') + '\n',
  )
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  // Calls in flight end, then every call answered is recorded and written (and sent) before the process exits.
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await proxy.close()
  await ledger.close()
}

/** A URL flag, checked by the collector's own rule for upstreams (http or https); without trailing slashes. */
function upstreamFlag(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (!proxyConfigSchema.shape.openaiUpstream.safeParse(value).success) {
    throw new CliError(`${flag} must be an http(s) URL, got "${value}"`)
  }
  return value.replace(/\/+$/, '')
}

function answer(res: ServerResponse, status: number, code?: string, message?: string): void {
  const body = JSON.stringify(code ? { error: { code, message } } : { status: 'ok' })
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}
