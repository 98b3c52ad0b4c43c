import { createPublicKey } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { type LedgerVerification, verifyLedger } from '@promptledger/sdk'
import { type Command, Option } from 'commander'
import { verifyRemote } from '../remote/index.js'
import { CliError, EXIT_OK, EXIT_PROBLEM } from '../util/exit-codes.js'
import { progressBar } from '../util/progress.js'

interface VerifyFlags {
  publicKey?: string
  json?: boolean
  deep?: boolean
  server?: string
  apiKey?: string
}

/** Verifies a local file ledger; prints the verdict and returns the exit status. */
export async function verifyLocal(
  dir: string,
  flags: VerifyFlags,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  if (!existsSync(dir)) throw new CliError(`<dir> ${dir} does not exist`)
  let publicKeyPem: string | undefined
  if (flags.publicKey) {
    if (!existsSync(flags.publicKey)) throw new CliError(`--public-key ${flags.publicKey} does not exist`)
    publicKeyPem = readFileSync(flags.publicKey, 'utf8')
    // A file that holds no key would make every signature read as forged: a false tamper alarm.
    try {
      createPublicKey(publicKeyPem)
    } catch {
      throw new CliError(`--public-key ${flags.publicKey} is not a PEM public key`)
    }
  }
  const bar = progressBar('verify', 'records')
  let result: LedgerVerification
  try {
    result = await verifyLedger(dir, {
      ...(publicKeyPem ? { publicKeyPem } : {}),
      ...(flags.deep ? { deep: true } : {}),
      onProgress: (d, t) => bar.update(d, t),
    })
  } finally {
    bar.stop()
  }
  // Nothing verified is no proof: a mistyped path, or a stream's own directory given for the data dir.
  if (result.ok && result.streams.length === 0) {
    const streamDir = readdirSync(dir).some((f) => /\.ndjson(?:\.gz|\.br)?$/.test(f))
    throw new CliError(
      `<dir> ${dir} holds no ledger stream${streamDir ? ': it looks like one stream of a ledger, give the data dir that holds it' : ''}`,
    )
  }
  if (flags.json) {
    out.write(`${JSON.stringify(result, null, 2)}\n`)
  } else if (result.ok) {
    const records = result.streams.reduce((n, s) => n + s.records, 0)
    out.write(`intact: ${records} records in ${result.streams.length} stream(s)\n`)
    for (const s of result.streams) {
      const rescued =
        s.rescued > 0
          ? `; ${s.rescued} more rescued at a process's exit, sealed by the next ledger opened on this data dir`
          : ''
      out.write(`  ${s.stream}: ${s.records} records, head seq ${s.head.seq}, ${s.checkpoints} checkpoints${rescued}\n`)
    }
  } else {
    const p = result.problem
    const where = [`stream ${p.stream}`, `seq ${p.seq}`, p.file ? `file ${p.file}` : '', p.line ? `line ${p.line}` : '']
    out.write(`NOT INTACT: ${p.kind} — ${where.filter(Boolean).join(', ')}: ${p.message}\n`)
  }
  return result.ok ? EXIT_OK : EXIT_PROBLEM
}

/**
 * `promptledger verify <dir>`: exit 0 when every stream is intact; else exit 1 naming the stream, seq,
 * file and line of the first bad record and what is wrong (altered, missing, reordered, truncated,
 * bad-signature).
 *
 * @example
 * promptledger verify ./promptledger-data
 */
export function register(program: Command): void {
  program
    .command('verify')
    .description('Prove a file ledger intact (hash chain, signed checkpoints, archives)')
    .argument('[dir]', 'the ledger data directory (or use --server)')
    .option('--public-key <file>', 'checkpoint public key (PEM); default: the one stored beside the ledger')
    .option('--json', 'print the result as JSON')
    .option('--deep', 're-hash every record of sealed archives too, not only their signed digests')
    .option('--server <url>', "verify a collector's stored chains instead of a local ledger")
    .addOption(new Option('--api-key <key>', 'API key for the collector').env('PROMPTLEDGER_API_KEY'))
    .action(async (dir: string | undefined, flags: VerifyFlags) => {
      if (flags.server) {
        const remote = { server: flags.server, ...(flags.apiKey ? { apiKey: flags.apiKey } : {}) }
        process.exitCode = await verifyRemote(remote, flags, (text) => process.stdout.write(text))
        return
      }
      if (!dir) throw new CliError('give a ledger <dir> or --server <url>')
      process.exitCode = await verifyLocal(dir, flags)
    })
}
