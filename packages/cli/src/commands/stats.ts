import { type Command, Option } from 'commander'
import {
  addFilterOptions,
  addServerOptions,
  type Column,
  type FilterFlags,
  fetchStats,
  filterFrom,
  fmt,
  remoteFrom,
  renderTable,
  type StatsRowJson,
} from '../remote/index.js'

interface StatsFlags extends FilterFlags {
  server?: string
  apiKey?: string
  groupBy?: string
  json?: boolean
}

const columns: Column<StatsRowJson>[] = [
  { header: 'group', cell: (r) => r.key ?? '(none)', max: 32 },
  { header: 'count', cell: (r) => String(r.count), right: true },
  { header: 'errors', cell: (r) => fmt.pct(r.error_rate), right: true },
  { header: 'p50', cell: (r) => fmt.ms(r.latency_p50), right: true },
  { header: 'p95', cell: (r) => fmt.ms(r.latency_p95), right: true },
  { header: 'p99', cell: (r) => fmt.ms(r.latency_p99), right: true },
  { header: 'ttft p50', cell: (r) => fmt.ms(r.ttft_p50), right: true },
  { header: 'ttft p95', cell: (r) => fmt.ms(r.ttft_p95), right: true },
  { header: 'tokens in', cell: (r) => String(r.input_tokens), right: true },
  { header: 'tokens out', cell: (r) => String(r.output_tokens), right: true },
  { header: 'cost', cell: costCell, right: true },
]

/** A group's cost: `-` when none of its records has a price, `≥$…` when only some have (the sum is a lower bound). */
function costCell(r: StatsRowJson): string {
  if (r.cost_usd === null) return '-'
  return r.priced_count < r.count ? `≥${fmt.usd(r.cost_usd)}` : fmt.usd(r.cost_usd)
}

/** The stats table, and a line on what `-` and `≥` in the cost column mean when a row shows either. */
export function renderStats(rows: readonly StatsRowJson[]): string {
  const table = `${renderTable(columns, rows)}\n`
  if (!rows.some((r) => r.cost_usd === null || r.priced_count < r.count)) return table
  return `${table}cost: - no record of the group has a known price (e.g. a model missing from the price table); ≥ only some have\n`
}

/**
 * `promptledger stats --server URL --group-by model`: counts, error rate, latency percentiles, tokens, cost.
 *
 * @example
 * promptledger stats --group-by model --from 2026-01-01T00:00:00Z
 */
export function register(program: Command): void {
  const command = program
    .command('stats')
    .description("Aggregate a collector's records")
    .addOption(
      new Option('--group-by <key>', 'group rows by').choices([
        'model',
        'provider',
        'user_id',
        'app',
        'status',
        'hour',
        'day',
      ]),
    )
    .option('--json', 'print the rows as JSON')
  addFilterOptions(addServerOptions(command)).action(async (flags: StatsFlags) => {
    const result = await fetchStats(remoteFrom(flags), filterFrom(flags), flags.groupBy)
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
      return
    }
    process.stdout.write(renderStats(result.rows))
  })
}
