import { readRecords } from '@promptledger/sdk'
import { cliActor, eraseSubject, liveCollector, loadConfig, openDataDir } from '@promptledger/server'
import type { Command } from 'commander'
import { addServerOptions } from '../remote/index.js'
import { CliError } from '../util/exit-codes.js'

interface EraseFlags {
  user: string
  data?: string
  server?: string
  apiKey?: string
  yes?: boolean
  json?: boolean
}

/** POST/GET a collector's JSON API with the key from --api-key / PROMPTLEDGER_API_KEY. */
export async function remoteJson<T>(
  flags: { server?: string; apiKey?: string },
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  let base: URL
  try {
    base = new URL(flags.server ?? '')
  } catch {
    throw new CliError(`--server is not a URL: ${flags.server}`)
  }
  const res = await fetch(new URL(path, base), {
    method,
    headers: {
      ...(flags.apiKey ? { authorization: `Bearer ${flags.apiKey}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  }).catch((cause: unknown) => {
    throw new CliError(`cannot reach the collector at ${base.origin}: ${(cause as Error).message}`, 1)
  })
  const json = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined
  if (!res.ok) throw new CliError(`collector answered ${res.status}: ${json?.error?.message ?? res.statusText}`, 1)
  return json as T
}

/**
 * `promptledger erase --user <id> --yes`: erasure by key deletion, on the data dir (also while the
 * server runs) or through a collector with `--server` (admin key). Metadata and the chain stay.
 *
 * @example
 * promptledger erase --user user_123 --yes --data ./promptledger-data
 */
export function register(program: Command): void {
  const command = program
    .command('erase')
    .description("Erase one user's content: destroy their data key and purge derived plaintext")
    .requiredOption('--user <id>', 'the user_id to erase')
    .option('--data <dir>', 'data directory (PROMPTLEDGER_DATA; default ./promptledger-data)')
    .option('--yes', 'confirm: erasure cannot be undone')
    .option('--json', 'print the result as JSON')
  addServerOptions(command)
    .option('--remote', 'erase through the collector at --server instead of the data dir')
    .action(async (flags: EraseFlags & { remote?: boolean }) => {
      if (!flags.yes) throw new CliError('erasure cannot be undone: pass --yes to confirm')
      if (flags.user.trim() === '') throw new CliError('--user must name a user id')
      let result: { user_id: string; key_ids: string[]; records: number; erased_at: string }
      // A data dir with only a file ledger has no store to count records in.
      let store = true
      const config = flags.remote
        ? null
        : loadConfig({ flags: flags.data ? { data: flags.data } : {}, env: process.env })
      // A collector serving this data dir (its marker names a live process that answers /healthz), or null.
      const running = config ? ((await liveCollector(config.data))?.url ?? null) : null
      if (flags.remote) {
        result = await remoteJson(flags, 'POST', '/v1/erasure', { user_id: flags.user })
      } else if (running) {
        // A collector serves this data dir: through it, the erasure also covers what it holds in memory.
        process.stderr.write(`erasing through the collector running on ${config!.data} (${running})\n`)
        const through = { server: running, ...(flags.apiKey ? { apiKey: flags.apiKey } : {}) }
        result = await remoteJson<typeof result>(through, 'POST', '/v1/erasure', { user_id: flags.user }).catch(
          (err) => {
            if (!(err instanceof CliError) || !/answered 40[13]/.test(err.message)) throw err
            throw new CliError(
              `a collector is running on ${config!.data} at ${running} and erasure must go through it: ` +
                'pass an admin key (--api-key or PROMPTLEDGER_API_KEY), or stop it and erase on the data dir',
            )
          },
        )
      } else {
        const dir = openDataDir(config!)
        store = dir.storage !== null
        try {
          const r = await eraseSubject({
            userId: flags.user,
            keys: dir.security.dataKeys,
            ...(dir.storage ? { storage: dir.storage } : {}),
            audit: dir.security.audit,
            actor: cliActor(),
            route: 'cli: erase',
            // The user's encrypted records in the ledger files (user_id stays clear): what the destroyed key made unreadable.
            countRecords: async () => {
              let n = 0
              for await (const r of readRecords(config!.data, { userId: flags.user })) if (r.enc) n++
              return n
            },
          })
          result = { user_id: r.userId, key_ids: r.keyIds, records: r.records, erased_at: r.erasedAt }
        } finally {
          await dir.close()
        }
      }
      if (flags.json) return void process.stdout.write(`${JSON.stringify(result)}\n`)
      process.stdout.write(
        result.key_ids.length > 0
          ? `erased ${result.user_id}: data key ${result.key_ids.join(', ')} destroyed; ${
              store
                ? `${result.records} stored records now read as erased`
                : `${result.records} records in the ledger files (and every copy of them, archives included) now read as erased`
            }\n`
          : `no data key for ${result.user_id}: nothing encrypted for this user yet (records stored in clear are not erased by key deletion)\n`,
      )
      process.stdout.write(
        `records of ${result.user_id} begun by ${result.erased_at} that arrive later read as erased too\n`,
      )
    })
}
