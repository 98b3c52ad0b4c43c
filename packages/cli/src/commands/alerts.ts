import type { AlertRecord } from '@promptledger/server'
import { type AlertEvent, createNotifiers, loadConfig } from '@promptledger/server'
import type { Command } from 'commander'
import { addServerOptions, type Column, type RemoteOptions, remoteFrom, renderTable } from '../remote/index.js'
import { CliError, EXIT_PROBLEM } from '../util/exit-codes.js'

/** An alert as `GET /v1/alerts` returns it. */
type AlertJson = Omit<AlertRecord, 'id' | 'resolvedValue'>

interface RuleJson {
  name: string
  enabled: boolean
  threshold: number | null
  windowSeconds: number
  scope: string
  unit: string
  description: string
}

type Out = { write(text: string): unknown }

async function getJson<T>(remote: RemoteOptions, path: string): Promise<T> {
  const target = new URL(path, remote.server.endsWith('/') ? remote.server : `${remote.server}/`)
  let res: Response
  try {
    res = await fetch(target, { headers: remote.apiKey ? { authorization: `Bearer ${remote.apiKey}` } : {} })
  } catch (cause) {
    throw new CliError(`cannot reach the collector at ${target.origin}: ${(cause as Error).message}`, EXIT_PROBLEM)
  }
  const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined
  if (!res.ok)
    throw new CliError(`collector answered ${res.status}: ${body?.error?.message ?? res.statusText}`, EXIT_PROBLEM)
  return body as T
}

const scopeText = (scope: Record<string, string>) =>
  Object.entries(scope)
    .map(([k, v]) => `${k}=${v}`)
    .join(',') || 'global'

const alertColumns: Column<AlertJson>[] = [
  { header: 'state', cell: (a) => a.state },
  { header: 'rule', cell: (a) => a.rule },
  { header: 'scope', cell: (a) => scopeText(a.scope), max: 32 },
  { header: 'started', cell: (a) => a.startedAt },
  { header: 'resolved', cell: (a) => a.resolvedAt ?? '-' },
  { header: 'message', cell: (a) => a.message, max: 80 },
]

const ruleColumns: Column<RuleJson>[] = [
  { header: 'rule', cell: (r) => r.name },
  { header: 'on', cell: (r) => (r.enabled ? 'yes' : 'no') },
  { header: 'threshold', cell: (r) => (r.threshold === null ? '-' : `${r.threshold} ${r.unit}`), right: true },
  { header: 'window', cell: (r) => `${r.windowSeconds}s`, right: true },
  { header: 'scope', cell: (r) => r.scope },
  { header: 'description', cell: (r) => r.description, max: 80 },
]

/** Prints open alerts and recent history (or the rules) of a collector. */
export async function listAlerts(
  remote: RemoteOptions,
  options: { rules?: boolean; json?: boolean; limit?: number },
  out: Out,
): Promise<void> {
  if (options.rules) {
    const rules = await getJson<{ interval_seconds: number; rules: RuleJson[]; notifiers: string[] }>(
      remote,
      'v1/alerts/rules',
    )
    if (options.json) return void out.write(`${JSON.stringify(rules, null, 2)}\n`)
    out.write(`${renderTable(ruleColumns, rules.rules)}\n`)
    out.write(`evaluated every ${rules.interval_seconds}s; notifiers: ${rules.notifiers.join(', ') || 'none'}\n`)
    return
  }
  const alerts = await getJson<{ open: AlertJson[]; history: AlertJson[] }>(
    remote,
    `v1/alerts?limit=${options.limit ?? 20}`,
  )
  if (options.json) return void out.write(`${JSON.stringify(alerts, null, 2)}\n`)
  out.write(`${alerts.open.length} open alert${alerts.open.length === 1 ? '' : 's'}\n`)
  const rows = [...alerts.open, ...alerts.history]
  if (rows.length) out.write(`${renderTable(alertColumns, rows)}\n`)
}

/**
 * Sends a test notification to every notifier of the config (file, or PROMPTLEDGER_ALERT_WEBHOOK) and
 * reports each outcome; fails when none is configured or any delivery fails.
 */
export async function sendTestNotification(
  configPath: string | undefined,
  env: NodeJS.ProcessEnv,
  out: Out,
): Promise<void> {
  const config = loadConfig({ flags: configPath ? { config: configPath } : {}, env })
  const notifiers = createNotifiers(config.alerts.notifiers)
  if (notifiers.length === 0) {
    throw new CliError(
      'no notifiers configured: add alerts.notifiers to the config file or set PROMPTLEDGER_ALERT_WEBHOOK',
    )
  }
  const now = new Date().toISOString()
  const event: AlertEvent = {
    kind: 'test',
    rule: 'test',
    scope: {},
    value: null,
    threshold: null,
    message: 'promptledger test notification: alerts reach this channel',
    startedAt: now,
  }
  let failed = 0
  for (const notifier of notifiers) {
    try {
      await notifier.notify(event)
      out.write(`sent      ${notifier.name}\n`)
    } catch (err) {
      failed++
      out.write(`FAILED    ${notifier.name}: ${(err as Error).message}\n`)
    }
  }
  if (failed > 0) throw new CliError(`${failed} of ${notifiers.length} notifiers failed`, EXIT_PROBLEM)
}

/**
 * `promptledger alerts [--server URL]` lists open alerts and history; `--rules` lists the rules;
 * `promptledger alerts test [--config file]` sends a test notification.
 *
 * @example
 * promptledger alerts --server http://127.0.0.1:7420
 * promptledger alerts test --config promptledger.config.json
 */
export function register(program: Command): void {
  const alerts = program
    .command('alerts')
    .description("A collector's open alerts and history (or its rules with --rules)")
    .option('--rules', 'list the rules in force instead')
    .option('--limit <n>', 'resolved alerts to show', '20')
    .option('--json', 'print JSON')
  addServerOptions(alerts).action(
    async (flags: { server?: string; apiKey?: string; rules?: boolean; json?: boolean; limit: string }) => {
      const limit = Number(flags.limit)
      if (!Number.isInteger(limit) || limit < 0 || limit > 1000)
        throw new CliError('--limit must be an integer 0..1000')
      await listAlerts(
        remoteFrom(flags),
        { limit, ...(flags.rules ? { rules: true } : {}), ...(flags.json ? { json: true } : {}) },
        process.stdout,
      )
    },
  )
  alerts
    .command('test')
    .description("Send a test notification to the config's notifiers")
    .option('--config <file>', 'JSON config file (PROMPTLEDGER_CONFIG)')
    .action(async (flags: { config?: string }) => {
      await sendTestNotification(flags.config, process.env, process.stdout)
    })
}
