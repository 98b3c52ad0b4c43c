import { hostname } from 'node:os'
import { z } from 'zod'
import { PromptLedgerError } from './errors.js'
import type { Exporter } from './exporters/exporter.js'
import type { RedactorOptions } from './redact/redactor.js'
import type { SignalOptions } from './signals/compute-signals.js'

const positiveInt = z.number().int().positive()

function defaultStream(): string {
  return `${hostname()}-${process.pid}`
}

/** Stream names become folder names: letters, digits, dot, dash, underscore only. */
const streamName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, ".", "-", "_" (1-128 characters, no leading dot)')

export const ledgerOptionsSchema = z.object({
  /** Data dir: the file ledger, keyring and public key live here. */
  dir: z.string().min(1).default('./promptledger-data'),
  /** Chain name; default `<hostname>-<pid>` so that concurrent processes never share a chain. */
  stream: z.string().optional(),
  /** A segment's largest size before it is sealed and a new one opens; default 1 MB. */
  maxFileBytes: positiveInt.min(1024).default(1024 * 1024),
  maxSegmentAgeMs: positiveInt.default(24 * 3_600_000),
  retention: z
    .object({ maxAgeDays: z.number().positive().default(30), maxTotalBytes: positiveInt.optional() })
    .default({ maxAgeDays: 30 }),
  checkpointEvery: positiveInt.default(1000),
  /**
   * How sealed segments are compressed: `auto` (default) seals clear records with gzip (`.ndjson.gz`, which `zcat`
   * reads) and encrypted ones with brotli (`.ndjson.br`); `brotli` for all of them costs about a third of gzip's
   * CPU for smaller archives; `gzip` for all of them. Readers take both.
   */
  archive: z.enum(['auto', 'brotli', 'gzip']).default('auto'),
  queue: z
    .object({
      maxRecords: positiveInt.default(10_000),
      maxBytes: positiveInt.default(64 * 1024 * 1024),
      policy: z.enum(['drop', 'block']).default('drop'),
    })
    .default({ maxRecords: 10_000, maxBytes: 64 * 1024 * 1024, policy: 'drop' }),
  batch: z
    .object({ maxRecords: positiveInt.default(512), maxDelayMs: z.number().int().nonnegative().default(50) })
    .default({ maxRecords: 512, maxDelayMs: 50 }),
  /** Redaction is on by default; `false` turns it off (records then say `redacted: false`). */
  redact: z
    .union([z.literal(false), z.custom<RedactorOptions>((v) => typeof v === 'object' && v !== null)])
    .default({}),
  /** Signals (uncertainty, injection score, response length) are computed by default; `false` turns them off. */
  signals: z.union([z.literal(false), z.custom<SignalOptions>((v) => typeof v === 'object' && v !== null)]).default({}),
  /** Extra exporters, after the file ledger. */
  exporters: z.array(z.custom<Exporter>((v) => typeof (v as Exporter)?.export === 'function')).default([]),
  /** Collector base URL (`http://127.0.0.1:7420`): records also go there, retried and spooled under `<dir>/spool/` while it is down. */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  /** API key for the collector, sent as a bearer token. */
  apiKey: z.string().min(1).optional(),
  /** Key of `prompt_hash`; default: a random key kept in the keyring. */
  hmacKey: z.instanceof(Buffer).optional(),
  /**
   * Encrypt content fields at rest with a data key per user (AES-256-GCM), so erasing a user is a key
   * deletion. `true` keeps the master key in the data dir's keyring; pass `{ masterKey }` (base64, 32
   * bytes, e.g. from an env var your config reads) for containers. Default: on, unless an `endpoint` is
   * set — the collector then encrypts at ingest with its own keys, and needs the (redacted) text to
   * redact again and to index it for search.
   */
  encrypt: z
    .union([
      z.boolean(),
      z.object({ masterKey: z.string().min(1).optional(), tenant: z.string().min(1).max(200).optional() }),
    ])
    .optional(),
  /**
   * Build every other batch on a worker thread when calls arrive faster than one thread builds them.
   * Used only on hosts with more than one core and when the pipeline allows it (no encryption, no inserted stages or extra exporters, options
   * without functions); batches are still chained and written in order on the ledger's thread.
   */
  buildThread: z.boolean().default(true),
  /** Flush on beforeExit, SIGTERM and SIGINT (the signal's default action still happens). */
  handleExit: z.boolean().default(true),
})

export type LedgerOptions = z.input<typeof ledgerOptionsSchema>
type ParsedLedgerOptions = z.output<typeof ledgerOptionsSchema>
export type ResolvedLedgerOptions = Omit<ParsedLedgerOptions, 'encrypt'> & {
  stream: string
  encrypt: NonNullable<ParsedLedgerOptions['encrypt']>
}

/** Validates options once; throws `CONFIG_INVALID` naming the first bad field. */
export function resolveLedgerOptions(options: LedgerOptions = {}): ResolvedLedgerOptions {
  const parsed = ledgerOptionsSchema.safeParse(options)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new PromptLedgerError('CONFIG_INVALID', `createLedger: option "${issue.path.join('.')}" ${issue.message}`)
  }
  const stream = parsed.data.stream ?? defaultStream().replace(/[^A-Za-z0-9._-]/g, '_')
  const checked = streamName.safeParse(stream)
  if (!checked.success) {
    throw new PromptLedgerError('CONFIG_INVALID', `createLedger: option "stream" ${checked.error.issues[0]!.message}`)
  }
  return { ...parsed.data, encrypt: parsed.data.encrypt ?? parsed.data.endpoint === undefined, stream }
}
