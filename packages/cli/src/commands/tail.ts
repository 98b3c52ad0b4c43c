import { existsSync } from 'node:fs'
import type { LedgerRecord } from '@promptledger/sdk'
import { type Command, Option } from 'commander'
import { DEFAULT_SERVER, tailRemote } from '../remote/index.js'
import { CliError } from '../util/exit-codes.js'
import { followLedger } from '../util/follow-ledger.js'
import { openLedgerAccess } from '../util/ledger-access.js'
import { formatRecordLine, writeOut } from '../util/output.js'
import { checkStream, parseCountFlag } from '../util/parse-flags.js'

interface TailFlags {
  json?: boolean
  lines: string
  follow: boolean
  stream?: string
  server?: string
  apiKey?: string
}

/** Prints the last records of a local ledger and follows new ones until `signal` aborts. */
export async function tailLocal(
  dir: string,
  flags: TailFlags,
  out: NodeJS.WritableStream = process.stdout,
  signal?: AbortSignal,
): Promise<void> {
  if (!existsSync(dir)) throw new CliError(`<dir> ${dir} does not exist`)
  checkStream(dir, flags.stream)
  const last = parseCountFlag('--lines', flags.lines)
  const options = {
    last,
    follow: flags.follow,
    ...(flags.stream ? { stream: flags.stream } : {}),
    ...(signal ? { signal } : {}),
  }
  // An encrypted ledger is shown decrypted, and the read is audited: what was printed, once a second.
  const access = openLedgerAccess(dir)
  let ids: string[] = []
  const audit = () => {
    if (access && ids.length > 0) access.audit('read.tail', 'cli: tail', { ...flags }, ids)
    ids = []
  }
  const timer = access ? setInterval(audit, 1000) : null
  timer?.unref()
  try {
    for await (const sealed of followLedger(dir, options)) {
      const record = access ? (access.read(sealed) as LedgerRecord) : sealed
      if (access) ids.push(sealed.id)
      await writeOut(out, flags.json ? `${JSON.stringify(record)}\n` : `${formatRecordLine(record)}\n`)
    }
  } finally {
    if (timer) clearInterval(timer)
    audit()
    access?.close()
  }
}

/**
 * `promptledger tail <dir> [--json]`: the last records, then every new one as it is written.
 *
 * @example
 * promptledger tail ./promptledger-data --lines 20
 */
export function register(program: Command): void {
  program
    .command('tail')
    .description('Print the newest records of a file ledger and follow new ones')
    .argument('[dir]', 'the ledger data directory (or use --server)')
    .option('--json', 'one JSON record per line instead of the readable form')
    .option('-n, --lines <n>', 'records to print before following', '10')
    .option('--no-follow', 'print and exit')
    .option('--stream <name>', 'only this stream')
    .option('--server <url>', `follow a collector instead of a local ledger (e.g. ${DEFAULT_SERVER})`)
    .addOption(new Option('--api-key <key>', 'API key for the collector').env('PROMPTLEDGER_API_KEY'))
    .action(async (dir: string | undefined, flags: TailFlags) => {
      const stop = new AbortController()
      const onSignal = () => stop.abort()
      process.once('SIGINT', onSignal)
      process.once('SIGTERM', onSignal)
      try {
        if (flags.server) {
          const remote = { server: flags.server, ...(flags.apiKey ? { apiKey: flags.apiKey } : {}) }
          const format = flags.json ? (r: LedgerRecord) => JSON.stringify(r) : formatRecordLine
          const options = { lines: parseCountFlag('--lines', flags.lines), follow: flags.follow, format }
          await tailRemote(remote, {}, options, (line) => writeOut(process.stdout, line), stop.signal)
        } else if (dir) await tailLocal(dir, flags, process.stdout, stop.signal)
        else throw new CliError('give a ledger <dir> or --server <url>')
      } finally {
        process.off('SIGINT', onSignal)
        process.off('SIGTERM', onSignal)
      }
    })
}
