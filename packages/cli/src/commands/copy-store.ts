import type { LedgerRecord } from '@promptledger/sdk'
import {
  cliActor,
  indexingOptions,
  isSharedStoreUrl,
  loadConfig,
  openDataDir,
  openSharedStore,
  type Storage,
} from '@promptledger/server'
import type { Command } from 'commander'
import { CliError } from '../util/exit-codes.js'
import { progressBar } from '../util/progress.js'

interface CopyFlags {
  to: string
  data?: string
  schema: string
  batch: string
}

export interface CopyResult {
  streams: number
  /** Records the destination did not hold yet. */
  copied: number
  /** Records it held already (a copy run again, or resumed). */
  present: number
}

/**
 * Copies every sealed stream of `from` into `to`, record by record as sealed (the chains carry over unchanged), in seq
 * order, `batch` records an append. Safe to run again or to resume: the destination stores each record id once. Ends
 * by checking that each stream's head is the same on both sides.
 *
 * @example
 * await copyStore(sqlite, postgres, 1000, (n, total) => bar.update(n, total))
 */
export async function copyStore(
  from: Storage,
  to: Storage,
  batch: number,
  onProgress: (done: number, total: number) => void = () => undefined,
): Promise<CopyResult> {
  const total = (await from.stats({}, null))[0]?.count ?? 0
  const streams = await from.streams()
  const result: CopyResult = { streams: streams.length, copied: 0, present: 0 }
  let done = 0
  for (const stream of streams) {
    let pending: LedgerRecord[] = []
    const flush = async () => {
      const { inserted, duplicates } = await to.append(pending)
      result.copied += inserted
      result.present += duplicates
      done += pending.length
      pending = []
      onProgress(done, total)
    }
    for await (const record of from.scanStream(stream)) {
      pending.push(record)
      if (pending.length >= batch) await flush()
    }
    if (pending.length > 0) await flush()
    const [source, copy] = [await from.head(stream), await to.head(stream)]
    if (source?.seq !== copy?.seq || source?.hash !== copy?.hash) {
      throw new CliError(
        `stream ${stream}: the copy's head (seq ${copy?.seq}) is not the source's (seq ${source?.seq})`,
      )
    }
  }
  return result
}

/**
 * `promptledger copy-store --to <url>`: the collector's SQLite store, from its data dir, into PostgreSQL or ClickHouse,
 * for moving a collector onto a shared store. Encrypted records stay encrypted (their keys stay in the data dir,
 * which the collectors of the shared store then use); their plaintext is read only to build the destination's search
 * index, and the read is audited.
 *
 * @example
 * promptledger copy-store --data ./promptledger-data --to postgres://promptledger@db.internal/ledger
 */
export function register(program: Command): void {
  program
    .command('copy-store')
    .description("Copy the data dir's SQLite store into PostgreSQL or ClickHouse (resumable; chains carried over)")
    .requiredOption('--to <url>', 'the destination: a postgres:// or clickhouse+http(s):// URL')
    .option('--data <dir>', 'data directory (PROMPTLEDGER_DATA; default ./promptledger-data)')
    .option('--schema <name>', "the destination's schema (PostgreSQL) or database (ClickHouse)", 'promptledger')
    .option('--batch <n>', 'records an append', '1000')
    .action(async (flags: CopyFlags) => {
      if (!isSharedStoreUrl(flags.to)) throw new CliError('--to must be a postgres:// or clickhouse+http(s):// URL')
      const batch = Number(flags.batch)
      if (!Number.isInteger(batch) || batch < 1 || batch > 10_000)
        throw new CliError('--batch must be an integer 1-10000')
      const config = loadConfig({ flags: flags.data ? { data: flags.data } : {}, env: process.env })
      const dir = openDataDir(config)
      try {
        if (!dir.storage) throw new CliError(`no collector store (ledger.db) in ${config.data}`, 1)
        const { storage: to, name } = await openSharedStore(flags.to, flags.schema, indexingOptions(dir.security))
        const bar = progressBar('copy', 'records')
        try {
          const result = await copyStore(dir.storage, to, batch, (n, total) => bar.update(n, total))
          bar.stop()
          dir.security.audit.append({
            actor: cliActor(),
            action: 'store.copy',
            route: 'cli: copy-store',
            filter: { to: name },
            count: result.copied + result.present,
          })
          process.stdout.write(
            `copied ${result.copied} records (${result.present} already there) in ${result.streams} stream(s) to ${name}; ` +
              'every stream head matches\n',
          )
        } finally {
          bar.stop()
          await to.close()
        }
      } finally {
        await dir.close()
      }
    })
}
