import { existsSync } from 'node:fs'
import { type LedgerRecord, type ReadFilter, readRecords } from '@promptledger/sdk'
import { type Command, Option } from 'commander'
import { fetchRecords, fetchStats, type RemoteFilter, type RemoteOptions, remoteFrom } from '../remote/index.js'
import { CliError } from '../util/exit-codes.js'
import { openLedgerAccess } from '../util/ledger-access.js'
import { writeOut } from '../util/output.js'
import { checkStream, parseWindow } from '../util/parse-flags.js'
import { progressBar } from '../util/progress.js'
import { remoteJson } from './erase.js'

interface ExportFlags {
  since?: string
  until?: string
  user?: string
  stream?: string
  /**
   * `ndjson` (default): one record a line; `es-bulk`: Elasticsearch's `_bulk` body; `splunk-hec`: events for Splunk's
   * HTTP Event Collector. Both for `curl --data-binary @file`.
   */
  format?: string
  /** The index: named in each `es-bulk` action (default `promptledger`), or set on each `splunk-hec` event. */
  index?: string
}

const FORMATS = ['ndjson', 'es-bulk', 'splunk-hec']

/**
 * A record as `format` writes it: its JSON line; for `es-bulk` an index action keyed by the record id (a bulk sent
 * twice stores each record once) followed by the record with an `@timestamp` (its `ts`, for Kibana's time filter); for
 * `splunk-hec` one event, timed by the record's `ts` (epoch seconds with milliseconds), source `promptledger`,
 * sourcetype `promptledger:record`, in `index` when one was named (Splunk refuses an index the token may not write).
 */
export function formatRecord(record: LedgerRecord, format: string, index: string | undefined): string {
  if (format === 'splunk-hec') {
    const event = {
      time: Date.parse(record.ts) / 1000,
      source: 'promptledger',
      sourcetype: 'promptledger:record',
      ...(index !== undefined ? { index } : {}),
      event: record,
    }
    return `${JSON.stringify(event)}\n`
  }
  if (format !== 'es-bulk') return `${JSON.stringify(record)}\n`
  const action = JSON.stringify({ index: { _index: index ?? 'promptledger', _id: record.id } })
  return `${action}\n${JSON.stringify({ '@timestamp': record.ts, ...record })}\n`
}

/** The output format and index the flags ask for; an error naming the flag for one the export cannot write. */
function outputFormat(flags: ExportFlags): { format: string; index: string | undefined } {
  const format = flags.format ?? 'ndjson'
  if (!FORMATS.includes(format)) throw new CliError(`--format must be one of ${FORMATS.join(', ')}`)
  const index = flags.index
  // Elasticsearch's own rules for an index name, checked here rather than by a bulk request that fails item by item;
  // Splunk's index names are stricter still (no `+` or `.` first).
  if (index !== undefined && !/^[a-z0-9][a-z0-9._+-]{0,254}$/.test(index)) {
    throw new CliError('--index must be lower case: letters, digits and . _ + - (not first)')
  }
  return { format, index }
}

/** Writes a local ledger's matching records as NDJSON; returns how many were written. */
export async function exportLocal(
  dir: string,
  flags: ExportFlags,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  if (!existsSync(dir)) throw new CliError(`<dir> ${dir} does not exist`)
  const { format, index } = outputFormat(flags)
  const filter: ReadFilter = {}
  const { since, until } = parseWindow(flags)
  checkStream(dir, flags.stream)
  if (since) filter.since = since
  if (until) filter.until = until
  if (flags.user !== undefined) filter.userId = flags.user
  if (flags.stream !== undefined) filter.stream = flags.stream
  // With encryption in use (a data key file in the dir), records are decrypted for the reader and the read is audited.
  const access = openLedgerAccess(dir)
  const ids: string[] = []
  let n = 0
  // The total is not known before the read ends: the bar counts what was written.
  const bar = progressBar('export', 'records')
  try {
    for await (const record of readRecords(dir, filter)) {
      const text = formatRecord(access ? access.read(record) : record, format, index)
      // Counted as read once it is on its way out, whether or not the reader takes all of it.
      if (access) ids.push(record.id)
      await writeOut(out, text)
      n++
      bar.update(n, n)
    }
  } finally {
    bar.stop()
    // Also when the reader stopped early (`| head`) or the read failed midway: what was printed was read.
    if (access) {
      access.audit(flags.user !== undefined ? 'subject.export' : 'read.export', 'cli: export', { ...flags }, ids)
    }
    access?.close()
  }
  return n
}

/** Records a page of the collector export asks for. */
const REMOTE_PAGE = 1000

/**
 * A collector's matching records (every stream, newest first, decrypted and audited by the collector as any read of
 * `GET /v1/records` is) as NDJSON or an Elasticsearch bulk body; returns how many were written.
 */
export async function exportRemote(
  remote: RemoteOptions,
  flags: ExportFlags,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const { format, index } = outputFormat(flags)
  const filter: RemoteFilter = {}
  const { since, until } = parseWindow(flags)
  if (since) filter.from = since.toISOString()
  if (until) filter.to = until.toISOString()
  const total = (await fetchStats(remote, filter)).rows.reduce((n, row) => n + row.count, 0)
  const bar = progressBar('export', 'records')
  let n = 0
  let cursor: string | undefined
  try {
    do {
      const page = await fetchRecords(remote, filter, { limit: REMOTE_PAGE, ...(cursor ? { cursor } : {}) })
      for (const record of page.records) {
        if (flags.stream !== undefined && record.stream !== flags.stream) continue
        await writeOut(out, formatRecord(record, format, index))
        n++
      }
      bar.update(n, Math.max(n, total))
      cursor = page.next_cursor ?? undefined
    } while (cursor)
  } finally {
    bar.stop()
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
    .description(
      "Write a file ledger's or a collector's records to stdout as NDJSON, an Elasticsearch bulk body or Splunk HEC events",
    )
    .argument('[dir]', 'the ledger data directory (not with --server)')
    .option('--since <time>', 'records at or after this time (ISO-8601 or an age like 24h, 7d)')
    .option('--until <time>', 'records before this time (ISO-8601 or an age)')
    .option('--user <id>', 'only this user_id')
    .option('--stream <name>', 'only this stream')
    .option(
      '--format <format>',
      'ndjson (one record a line), es-bulk (an Elasticsearch _bulk body) or splunk-hec (Splunk HTTP Event Collector events)',
      'ndjson',
    )
    .option('--index <name>', 'the Elasticsearch index (es-bulk; default promptledger) or Splunk index (splunk-hec)')
    .option(
      '--server <url>',
      "a collector's records instead of a file ledger's; with --user, that user's access export (decrypted, JSON)",
    )
    .addOption(new Option('--api-key <key>', 'auditor API key for --server').env('PROMPTLEDGER_API_KEY'))
    .action(async (dir: string | undefined, flags: ExportFlags & { server?: string; apiKey?: string }) => {
      if (flags.server) {
        if (flags.user === undefined) {
          await exportRemote(remoteFrom(flags), flags)
          return
        }
        const doc = await remoteJson(flags, 'GET', `/v1/subjects/${encodeURIComponent(flags.user)}/export`)
        await writeOut(process.stdout, `${JSON.stringify(doc, null, 2)}\n`)
        return
      }
      if (dir === undefined) throw new CliError('<dir> is required (or --server <url>)')
      await exportLocal(dir, flags)
    })
}
