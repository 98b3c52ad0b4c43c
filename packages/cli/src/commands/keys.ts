import { DataKeyStore, EnvKeyProvider, type LocalKeyringProvider, rotateLocalMasterKey } from '@promptledger/sdk'
import {
  ApiKeyStore,
  AuditTrail,
  cliActor,
  isRole,
  keyProviderFor,
  loadConfig,
  ROLES,
  securityConfigSchema,
} from '@promptledger/server'
import type { Command } from 'commander'
import { CliError } from '../util/exit-codes.js'

interface DataFlags {
  data?: string
  json?: boolean
}

const dataOption = ['--data <dir>', 'data directory (PROMPTLEDGER_DATA; default ./promptledger-data)'] as const

/** The data dir as the server would resolve it (flag, then PROMPTLEDGER_DATA, then the default). */
export function dataDirOf(flags: { data?: string }) {
  return loadConfig({ flags: flags.data ? { data: flags.data } : {}, env: process.env })
}

function withStores<T>(flags: DataFlags, fn: (keys: ApiKeyStore, audit: AuditTrail) => T): T {
  const { data } = dataDirOf(flags)
  const keys = ApiKeyStore.open({ dir: data })
  const audit = AuditTrail.open({ dir: data })
  try {
    return fn(keys, audit)
  } finally {
    keys.close()
    audit.close()
  }
}

/**
 * `promptledger keys create|list|revoke|rotate`: API keys in `<data>/auth.db` (works while the
 * server runs: it checks keys per request) and rotation of the encryption master key.
 *
 * @example
 * promptledger keys create --role auditor --name compliance   # prints the key once
 */
export function register(program: Command): void {
  const keys = program.command('keys').description('Manage API keys and the encryption master key')
  keys
    .command('create')
    .description('Create an API key; it is printed once and stored only as a SHA-256 digest')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .requiredOption('--name <name>', 'who or what uses the key')
    .option(...dataOption)
    .option('--json', 'print { key, id, name, role, created } as JSON')
    .action((flags: DataFlags & { role: string; name: string }) => {
      if (!isRole(flags.role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}`)
      const role = flags.role
      withStores(flags, (store, audit) => {
        const { key, info } = store.create({ role, name: flags.name })
        audit.append({
          actor: cliActor(),
          action: 'key.create',
          route: 'cli: keys create',
          filter: { id: info.id, name: info.name, role },
        })
        if (flags.json) process.stdout.write(`${JSON.stringify({ key, ...info })}\n`)
        else {
          process.stdout.write(`${key}\n`)
          process.stderr.write(`created ${role} key ${info.id} (${info.name}); it is shown only this once\n`)
        }
      })
    })
  keys
    .command('list')
    .description('List API keys (never their secrets)')
    .option(...dataOption)
    .option('--json', 'print as JSON')
    .action((flags: DataFlags) => {
      withStores(flags, (store) => {
        const list = store.list()
        if (flags.json) return void process.stdout.write(`${JSON.stringify(list, null, 2)}\n`)
        if (list.length === 0)
          return void process.stdout.write('no API keys: the server serves loopback clients only\n')
        for (const k of list) {
          process.stdout.write(
            `${k.id}  ${k.role.padEnd(7)}  ${k.created}  ${k.revoked ? `revoked ${k.revoked}` : 'active'}  ${k.name}\n`,
          )
        }
      })
    })
  keys
    .command('revoke')
    .description('Revoke an API key by id or name (takes effect on the next request)')
    .argument('<id-or-name>')
    .option(...dataOption)
    .action((idOrName: string, flags: DataFlags) => {
      withStores(flags, (store, audit) => {
        const revoked = store.revoke(idOrName)
        if (!revoked) throw new CliError(`no active key with id or name ${idOrName}`, 1)
        audit.append({
          actor: cliActor(),
          action: 'key.revoke',
          route: 'cli: keys revoke',
          filter: { id: revoked.id, name: revoked.name },
        })
        process.stdout.write(`revoked ${revoked.id} (${revoked.name})\n`)
      })
    })
  keys
    .command('rotate')
    .description('Re-wrap every data key under a new master key; records stay readable (restart the server after)')
    .option(...dataOption)
    .option(
      '--new-master-key-env <var>',
      'with PROMPTLEDGER_MASTER_KEY in use: the env var holding the new base64 master key',
    )
    .action((flags: DataFlags & { newMasterKeyEnv?: string }) => {
      const config = dataDirOf(flags)
      const security = securityConfigSchema.parse(config.auth ?? {})
      const dataKeys = DataKeyStore.open({ dir: config.data, provider: keyProviderFor(config.data, security) })
      let newId: string
      let count = 0
      if (security.masterKey) {
        const name = flags.newMasterKeyEnv
        const value = name ? process.env[name] : undefined
        if (!name || !value)
          throw new CliError('--new-master-key-env <var> must name a set env var holding the new master key')
        const next = new EnvKeyProvider({ masterKeyBase64: value, source: name })
        count = dataKeys.rotate(next)
        newId = next.masterKeyId
      } else {
        newId = rotateLocalMasterKey(config.data, (next: LocalKeyringProvider) => {
          count = dataKeys.rotate(next)
        }).masterKeyId
      }
      withStores(flags, (_store, audit) =>
        audit.append({
          actor: cliActor(),
          action: 'key.rotate',
          route: 'cli: keys rotate',
          filter: { master_key_id: newId },
          count,
        }),
      )
      process.stdout.write(`re-wrapped ${count} data keys under master key ${newId}\n`)
    })
}
