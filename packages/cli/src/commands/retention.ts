import { anchorsFileOf, cliActor, loadConfig, openDataDir, runRetention } from '@promptledger/server'
import type { Command } from 'commander'
import { CliError } from '../util/exit-codes.js'
import { progressBar } from '../util/progress.js'

interface RetentionFlags {
  data?: string
  config?: string
  dryRun?: boolean
  maxAgeDays?: string
  archive?: boolean
  archiveDir?: string
  json?: boolean
}

/**
 * `promptledger retention [--dry-run]`: deletes the collector's records past the retention age
 * (config `retention`, default 30 days), archiving them first with `--archive`. Audited.
 *
 * @example
 * promptledger retention --max-age-days 90 --archive --dry-run
 */
export function register(program: Command): void {
  program
    .command('retention')
    .description('Apply the retention policy to the data dir: archive (optional) and delete old records')
    .option('--dry-run', 'count what would be deleted; change nothing')
    .option('--max-age-days <n>', 'keep records younger than this (default from config, else 30)')
    .option('--archive', 'write a sealed gzip NDJSON archive + manifest before deleting')
    .option('--archive-dir <dir>', 'where archives go (default <data>/archive)')
    .option('--data <dir>', 'data directory (PROMPTLEDGER_DATA; default ./promptledger-data)')
    .option('--config <file>', 'JSON config file with a retention section (PROMPTLEDGER_CONFIG)')
    .option('--json', 'print the result as JSON')
    .action(async (flags: RetentionFlags) => {
      const config = loadConfig({
        flags: { ...(flags.data ? { data: flags.data } : {}), ...(flags.config ? { config: flags.config } : {}) },
        env: process.env,
      })
      const dir = openDataDir(config)
      try {
        if (!dir.storage) throw new CliError(`no collector store (ledger.db) in ${config.data}`, 1)
        const maxAgeDays = flags.maxAgeDays === undefined ? dir.retention.maxAgeDays : Number(flags.maxAgeDays)
        if (!(maxAgeDays > 0)) throw new CliError('--max-age-days must be a positive number')
        const bar = progressBar('archive', 'records')
        const result = await runRetention({
          storage: dir.storage,
          policy: { maxAgeDays, archive: flags.archive ?? dir.retention.archive },
          archiveDir: flags.archiveDir ?? dir.archiveDir,
          anchorsFile: anchorsFileOf(config.data),
          audit: dir.security.audit,
          actor: cliActor(),
          route: 'cli: retention',
          dryRun: flags.dryRun ?? false,
          onProgress: (n) => bar.update(n, Math.max(n, 1)),
        })
        bar.stop()
        if (flags.json)
          return void process.stdout.write(
            `${JSON.stringify({ ...result, archive: result.archive?.manifest ?? null })}\n`,
          )
        if (result.dryRun)
          process.stdout.write(`dry run: ${result.due} records older than ${result.cutoff} would be deleted\n`)
        else {
          process.stdout.write(`deleted ${result.deleted} records older than ${result.cutoff}\n`)
          if (result.archive) process.stdout.write(`archived to ${result.archive.file} (+ .manifest.json)\n`)
        }
      } finally {
        await dir.close()
      }
    })
}
