import { existsSync } from 'node:fs'
import { type AuditEntry, AuditTrail, type AuditVerifyResult } from '@promptledger/server'
import type { Command } from 'commander'
import { addServerOptions } from '../remote/index.js'
import { CliError, EXIT_PROBLEM } from '../util/exit-codes.js'
import { remoteJson } from './erase.js'
import { dataDirOf } from './keys.js'

interface AuditFlags {
  data?: string
  server?: string
  apiKey?: string
  remote?: boolean
  verify?: boolean
  after?: string
  limit: string
  action?: string
  json?: boolean
}

/**
 * `promptledger audit [--verify]`: who read or changed what, from the data dir's hash-chained trail
 * (or a collector's, with `--remote`, auditor key).
 *
 * @example
 * promptledger audit --action erasure
 * promptledger audit --verify
 */
export function register(program: Command): void {
  const command = program
    .command('audit')
    .description('Show or verify the audit trail (reads of record content and admin acts)')
    .option('--verify', "check the trail's hash chain; exit 1 if it is broken")
    .option('--after <seq>', 'entries after this seq')
    .option('--limit <n>', 'entries to show (1-1000)', '100')
    .option('--action <name>', 'only this action (read, erasure, key.create, retention.run, …)')
    .option('--data <dir>', 'data directory (PROMPTLEDGER_DATA; default ./promptledger-data)')
    .option('--json', 'print as JSON')
  addServerOptions(command)
    .option('--remote', 'read the trail of the collector at --server')
    .action(async (flags: AuditFlags) => {
      const limit = Number(flags.limit)
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliError('--limit must be an integer 1-1000')
      const after = flags.after === undefined ? undefined : Number(flags.after)
      if (after !== undefined && !Number.isInteger(after)) throw new CliError('--after must be an integer seq')
      let verified: AuditVerifyResult | undefined
      let entries: AuditEntry[] = []
      if (flags.remote) {
        if (flags.verify) verified = await remoteJson<AuditVerifyResult>(flags, 'GET', '/v1/audit/verify')
        else {
          const q = new URLSearchParams({
            limit: String(limit),
            ...(after !== undefined ? { after: String(after) } : {}),
            ...(flags.action ? { action: flags.action } : {}),
          })
          entries = (await remoteJson<{ entries: AuditEntry[] }>(flags, 'GET', `/v1/audit?${q}`)).entries
        }
      } else {
        const dir = dataDirOf(flags).data
        // Opening the trail creates it: a mistyped --data would read as an empty, intact trail.
        if (!existsSync(dir)) throw new CliError(`--data: no data directory at ${dir}`)
        if (!AuditTrail.exists(dir)) {
          // Nothing audited there yet (an SDK ledger's dir, or a collector that served no read): said, not created.
          // There is nothing to verify either, which --verify must not pass as intact.
          const message = `${dir} holds no audit trail: nothing read or administered there has been audited`
          if (flags.verify) throw new CliError(message, EXIT_PROBLEM)
          if (flags.json) process.stdout.write('[]\n')
          else process.stderr.write(`promptledger: ${message}\n`)
          return
        }
        const trail = AuditTrail.open({ dir })
        try {
          if (flags.verify) verified = trail.verify()
          else
            entries = trail.list({
              limit,
              ...(after !== undefined ? { after } : {}),
              ...(flags.action ? { action: flags.action } : {}),
            })
        } finally {
          trail.close()
        }
      }
      if (verified) {
        if (flags.json) process.stdout.write(`${JSON.stringify(verified)}\n`)
        else if (verified.ok)
          process.stdout.write(`audit trail OK: ${verified.entries} entries, head ${verified.head}\n`)
        else process.stdout.write(`audit trail BROKEN at seq ${verified.broken?.seq}: ${verified.broken?.reason}\n`)
        if (!verified.ok) process.exitCode = EXIT_PROBLEM
        return
      }
      if (flags.json) return void process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`)
      if (entries.length === 0) {
        const which = [
          flags.action ? ` with action ${flags.action}` : '',
          after !== undefined ? ` after seq ${after}` : '',
        ]
        process.stderr.write(`promptledger: no audit entries${which.join('')}\n`)
      }
      for (const e of entries) {
        process.stdout.write(
          `${e.seq}  ${e.ts}  ${e.actor_name} (${e.actor_id})  ${e.action}  ${e.route}  ${e.count} records  ${JSON.stringify(e.filter)}\n`,
        )
      }
    })
}
