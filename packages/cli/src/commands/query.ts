import type { Command } from 'commander'
import {
  addFilterOptions,
  addServerOptions,
  type FilterFlags,
  fetchRecords,
  filterFrom,
  recordColumns,
  remoteFrom,
  renderTable,
} from '../remote/index.js'

interface QueryFlags extends FilterFlags {
  server?: string
  apiKey?: string
  limit: string
  cursor?: string
  json?: boolean
}

/**
 * `promptledger query --server URL [filters]`: records newest first, as a table or JSON.
 *
 * @example
 * promptledger query --model gpt-4o --status error -q timeout --limit 20
 */
export function register(program: Command): void {
  const command = program
    .command('query')
    .description("Search a collector's records (newest first)")
    .option('--limit <n>', 'records per page (1-1000)', '20')
    .option('--cursor <cursor>', 'continue from a previous page')
    .option('--json', 'print the page as JSON')
  addFilterOptions(addServerOptions(command)).action(async (flags: QueryFlags) => {
    const limit = Number(flags.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new Error('--limit must be an integer 1-1000')
    const page = await fetchRecords(remoteFrom(flags), filterFrom(flags), {
      limit,
      ...(flags.cursor ? { cursor: flags.cursor } : {}),
    })
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(page, null, 2)}\n`)
      return
    }
    process.stdout.write(`${renderTable(recordColumns, page.records)}\n`)
    const count = `${page.records.length} record${page.records.length === 1 ? '' : 's'}`
    process.stdout.write(page.next_cursor ? `${count}; more with --cursor ${page.next_cursor}\n` : `${count}\n`)
  })
}
