import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { CliError } from '../util/exit-codes.js'
import { followLedger } from '../util/follow-ledger.js'
import { formatRecordLine, writeOut } from '../util/output.js'
import { parseCountFlag } from '../util/parse-flags.js'

interface TailFlags {
  json?: boolean
  lines: string
  follow: boolean
  stream?: string
}

/** Prints the last records of a local ledger and follows new ones until `signal` aborts. */
export async function tailLocal(
  dir: string,
  flags: TailFlags,
  out: NodeJS.WritableStream = process.stdout,
  signal?: AbortSignal,
): Promise<void> {
  if (!existsSync(dir)) throw new CliError(`<dir> ${dir} does not exist`)
  const last = parseCountFlag('--lines', flags.lines)
  const options = {
    last,
    follow: flags.follow,
    ...(flags.stream ? { stream: flags.stream } : {}),
    ...(signal ? { signal } : {}),
  }
  for await (const record of followLedger(dir, options)) {
    await writeOut(out, flags.json ? `${JSON.stringify(record)}\n` : `${formatRecordLine(record)}\n`)
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
    .argument('<dir>', 'the ledger data directory')
    .option('--json', 'one JSON record per line instead of the readable form')
    .option('-n, --lines <n>', 'records to print before following', '10')
    .option('--no-follow', 'print and exit')
    .option('--stream <name>', 'only this stream')
    .action(async (dir: string, flags: TailFlags) => {
      const stop = new AbortController()
      const onSignal = () => stop.abort()
      process.once('SIGINT', onSignal)
      process.once('SIGTERM', onSignal)
      try {
        await tailLocal(dir, flags, process.stdout, stop.signal)
      } finally {
        process.off('SIGINT', onSignal)
        process.off('SIGTERM', onSignal)
      }
    })
}
