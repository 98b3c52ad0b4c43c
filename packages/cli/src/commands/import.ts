import { existsSync } from 'node:fs'
import { type LedgerRecord, readRecords } from '@promptledger/sdk'
import cliProgress from 'cli-progress'
import type { Command } from 'commander'
import { addServerOptions, postRecords, remoteFrom } from '../remote/index.js'

interface ImportFlags {
  server: string
  apiKey?: string
  batch: string
}

/**
 * `promptledger import <ledger-dir> --server URL`: sends a file ledger's records to a collector. Safe to
 * repeat: the collector stores each record id once.
 *
 * @example
 * promptledger import ./promptledger-data --server http://127.0.0.1:7420
 */
export function register(program: Command): void {
  const command = program
    .command('import')
    .description('Send a file ledger to a collector (idempotent by record id)')
    .argument('<ledger-dir>', 'the file ledger data directory')
    .option('--batch <n>', 'records per request', '500')
  addServerOptions(command, true).action(async (dir: string, flags: ImportFlags) => {
    if (!existsSync(dir)) throw new Error(`<ledger-dir> ${dir} does not exist`)
    const size = Number(flags.batch)
    if (!Number.isInteger(size) || size < 1 || size > 10_000) throw new Error('--batch must be an integer 1-10000')
    const remote = remoteFrom(flags)
    let total = 0
    let encrypted = 0
    for await (const record of readRecords(dir)) {
      total++
      if (record.enc) encrypted++
    }
    const bar = process.stderr.isTTY
      ? new cliProgress.SingleBar(
          { format: 'import [{bar}] {value}/{total} records', stream: process.stderr },
          cliProgress.Presets.shades_classic,
        )
      : null
    bar?.start(total, 0)
    let accepted = 0
    let duplicates = 0
    let sent = 0
    let batch: LedgerRecord[] = []
    const send = async () => {
      const answer = await postRecords(remote, batch)
      accepted += answer.accepted
      duplicates += answer.duplicates
      sent += batch.length
      batch = []
      bar?.update(sent)
    }
    try {
      for await (const record of readRecords(dir)) {
        batch.push(record)
        if (batch.length >= size) await send()
      }
      if (batch.length > 0) await send()
    } finally {
      bar?.stop()
    }
    process.stdout.write(`imported ${accepted} records (${duplicates} already there) from ${dir}\n`)
    if (encrypted > 0) {
      // Their keys stay in the ledger's data dir: nothing here sends a key anywhere.
      process.stdout.write(
        `${encrypted} of them are encrypted under ${dir}'s data keys: the collector stores them and ` +
          'serves their content as unreadable (KEY_NOT_FOUND); read it with `promptledger tail` or `export` on that dir\n',
      )
    }
  })
}
