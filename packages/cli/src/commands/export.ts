import { existsSync } from 'node:fs'
import { type ReadFilter, readRecords } from '@promptledger/sdk'
import { type Command, Option } from 'commander'
import { CliError } from '../util/exit-codes.js'
import { openLedgerAccess } from '../util/ledger-access.js'
import { writeOut } from '../util/output.js'
import { parseTimeFlag } from '../util/parse-flags.js'
import { remoteJson } from './erase.js'

interface ExportFlags {
  since?: string
  until?: string
  user?: string
  stream?: string
}

/** Writes a local ledger's matching records as NDJSON; returns how many were written. */
export async function exportLocal(
  dir: string,
  flags: ExportFlags,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  if (!existsSync(dir)) throw new CliError(`<dir> ${dir} does not exist`)
  const filter: ReadFilter = {}
  const since = parseTimeFlag('--since', flags.since)
  const until = parseTimeFlag('--until', flags.until)
  if (since) filter.since = since
  if (until) filter.until = until
  if (flags.user !== undefined) filter.userId = flags.user
  if (flags.stream !== undefined) filter.stream = flags.stream
  // With encryption in use (a data key file in the dir), records are decrypted for the reader and the read is audited.
  const access = openLedgerAccess(dir)
  const ids: string[] = []
  let n = 0
  try {
    for await (const record of readRecords(dir, filter)) {
      await writeOut(out, `${JSON.stringify(access ? access.read(record) : record)}\n`)
      if (access) ids.push(record.id)
      n++
    }
    access?.audit(flags.user !== undefined ? 'subject.export' : 'read.export', 'cli: export', { ...flags }, ids)
  } finally {
    access?.close()
  }
  return n
}

/**
 * `promptledger export <dir> [--since] [--until] [--user]`: matching records as NDJSON on stdout.
 *
 * @example
 * promptledger export ./promptledger-data --user user_123 --since 30d > user_123.ndjson
 */
export function register(program: Command): void {
  program
    .command('export')
    .description("Write a file ledger's records as NDJSON to stdout")
    .argument('[dir]', 'the ledger data directory (not with --server)')
    .option('--since <time>', 'records at or after this time (ISO-8601 or an age like 24h, 7d)')
    .option('--until <time>', 'records before this time (ISO-8601 or an age)')
    .option('--user <id>', 'only this user_id')
    .option('--stream <name>', 'only this stream')
    .option(
      '--server <url>',
      'with --user: the access export (everything about one user, decrypted, JSON) from a collector',
    )
    .addOption(new Option('--api-key <key>', 'auditor API key for --server').env('PROMPTLEDGER_API_KEY'))
    .action(async (dir: string | undefined, flags: ExportFlags & { server?: string; apiKey?: string }) => {
      if (flags.server) {
        if (flags.user === undefined) throw new CliError('--server needs --user <id> (the access export of one user)')
        const doc = await remoteJson(flags, 'GET', `/v1/subjects/${encodeURIComponent(flags.user)}/export`)
        await writeOut(process.stdout, `${JSON.stringify(doc, null, 2)}\n`)
        return
      }
      if (dir === undefined) throw new CliError('<dir> is required (or --server with --user)')
      await exportLocal(dir, flags)
    })
}
