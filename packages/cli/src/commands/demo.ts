import { loadConfig, startServer } from '@promptledger/server'
import type { Command } from 'commander'
import { startDemoModel } from '../demo/demo-model.js'
import { sendDemoTraffic } from '../demo/demo-traffic.js'
import { progressBar } from '../util/progress.js'
import { banner, portTaken, untilSignal } from './serve.js'

interface DemoFlags {
  port?: string
  data: string
  calls: string
  exit?: boolean
}

/** How long the demo waits for the proxy's last records to be stored before it reports. */
const SETTLE_MS = 10_000

/**
 * `promptledger demo`: a collector on a data dir of its own, a local stand-in model behind its proxy, and a few hundred
 * calls through it (users, sessions, apps, streams, failures, personal data in the prompts), so the dashboard, stats,
 * search, alerts and `tail` have something to show. It keeps serving until Ctrl-C, or stops after the calls with `--exit`.
 *
 * @example
 * promptledger demo --calls 300
 */
export function register(program: Command): void {
  program
    .command('demo')
    .description('Run a collector with a local stand-in model and send it sample traffic (no provider, no key)')
    .option('--port <port>', 'port to listen on (default 7420, 0 picks a free one)')
    .option('--data <dir>', 'data directory for the demo (kept apart from real data)', './promptledger-demo')
    .option('--calls <n>', 'calls to send through the proxy', '200')
    .option('--exit', 'stop once the calls are stored, instead of serving until Ctrl-C')
    .action(async (flags: DemoFlags) => {
      const calls = Number(flags.calls)
      if (!Number.isInteger(calls) || calls < 1 || calls > 100_000)
        throw new Error('--calls must be an integer 1-100000')
      const model = await startDemoModel()
      // The demo's own dir and its loopback model: flags and env that point elsewhere (a real upstream, PostgreSQL) are
      // not for it.
      const config = loadConfig({
        flags: { port: flags.port ?? 7420, data: flags.data, openaiUpstream: model.url, storage: 'sqlite' },
        env: {},
      })
      config.logLevel = 'warn'
      const server = await startServer(config)
        .catch((err: unknown) => {
          // The default port is most often taken by the user's own collector: the demo takes a free one instead.
          if (flags.port !== undefined || (err as { code?: string }).code !== 'EADDRINUSE') throw err
          process.stdout.write(
            `port ${config.port} is taken (a collector already running?): the demo takes a free one\n`,
          )
          return startServer({ ...config, port: 0 })
        })
        .catch(async (err: unknown) => {
          await model.close()
          throw portTaken(err, config.host, config.port) ?? err
        })
      try {
        process.stdout.write(banner(server, config.stream))
        process.stdout.write(`  demo model: ${model.url} (stands in for the OpenAI API)\n`)
        const before = await storedCount(server.url)
        const bar = progressBar('demo', 'calls')
        const traffic = await sendDemoTraffic({ server: server.url, calls, onCall: (n) => bar.update(n, calls) })
        bar.stop()
        const stored = (await settle(server.url, before + traffic.sent)) - before
        process.stdout.write(
          [
            `sent ${traffic.sent} calls through the proxy (${traffic.failed} answered with an error, as providers do);`,
            `${stored} records stored, personal data and keys redacted. Try:`,
            `  open ${server.url}/`,
            `  promptledger query --server ${server.url} --search refund`,
            `  promptledger stats --server ${server.url} --group-by model`,
            `  promptledger verify --server ${server.url}`,
          ].join('\n') + '\n',
        )
        if (!flags.exit) await untilSignal(server)
      } finally {
        await server.close()
        await model.close()
      }
    })
}

async function storedCount(url: string): Promise<number> {
  const res = await fetch(`${url}/v1/stats`)
  const body = (await res.json()) as { rows: Array<{ count: number }> }
  return body.rows.reduce((n, row) => n + row.count, 0)
}

/** Waits until `expected` records are stored (the proxy stores each call just after answering it), or gives up. */
async function settle(url: string, expected: number): Promise<number> {
  const deadline = Date.now() + SETTLE_MS
  let count = await storedCount(url)
  while (count < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    count = await storedCount(url)
  }
  return count
}
