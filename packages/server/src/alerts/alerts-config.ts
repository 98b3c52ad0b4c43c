import { z } from 'zod'
import { ServerError } from '../errors.js'

/** Every rule the collector knows, by the name used in the config file, the API and notifications. */
export const RULE_NAMES = [
  'error_rate',
  'error_rate_daily',
  'response_length',
  'pii_leak',
  'latency_p95',
  'uncertainty',
  'injection',
  'cost_daily',
] as const
export type RuleName = (typeof RULE_NAMES)[number]

/** What a rule is evaluated per: the whole store, or each model / app / user / provider separately. */
export const scopeSchema = z.enum(['global', 'model', 'app', 'user', 'provider'])
export type RuleScope = z.infer<typeof scopeSchema>

/** Restricts a rule to matching records (e.g. one app); combined with `scope` it can watch one app per model. */
const whereSchema = z.strictObject({
  app: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  userId: z.string().min(1).optional(),
  provider: z.string().min(1).optional(),
  tag: z.string().min(1).optional(),
})

/** What a user may set on any rule; every key is optional and falls back to the rule's default. */
const ruleOverrideSchema = z.strictObject({
  enabled: z.boolean().optional(),
  /** In the rule's unit (fraction, ms, count, score or USD); the rule fires when the value exceeds it. */
  threshold: z.number().nonnegative().optional(),
  windowSeconds: z
    .number()
    .int()
    .positive()
    .max(31 * 86400)
    .optional(),
  scope: scopeSchema.optional(),
  where: whereSchema.optional(),
  /** Fewest records in the window (and, for `response_length`, in the baseline) before the rule judges. */
  minCount: z.number().int().positive().optional(),
  /** `response_length` only: days of trailing baseline (same hour of day). */
  baselineDays: z.number().int().min(1).max(28).optional(),
})

const notifierBase = {
  timeoutMs: z.number().int().positive().max(120_000).default(5000),
  retries: z.number().int().min(0).max(10).default(3),
  /** First retry delay; doubled each retry, with jitter. */
  backoffMs: z.number().int().min(0).max(60_000).default(500),
}
const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })

export const notifierConfigSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('webhook'),
    url: httpUrl,
    headers: z.record(z.string(), z.string()).optional(),
    ...notifierBase,
  }),
  z.strictObject({ type: z.literal('slack'), url: httpUrl, ...notifierBase }),
  z.strictObject({ type: z.literal('stdout') }),
])
export type NotifierConfig = z.infer<typeof notifierConfigSchema>

/**
 * The `alerts` section of the collector's config file.
 *
 * @example
 * { "intervalSeconds": 60, "notifiers": [{ "type": "webhook", "url": "http://127.0.0.1:9000/hook" }],
 *   "rules": { "latency_p95": { "threshold": 3000, "scope": "model" }, "cost_daily": { "threshold": 25 } } }
 */
export const alertsConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    intervalSeconds: z.number().positive().max(86400).default(60),
    notifiers: z.array(notifierConfigSchema).default([]),
    rules: z
      .strictObject(
        Object.fromEntries(RULE_NAMES.map((name) => [name, ruleOverrideSchema.optional()])) as {
          [K in RuleName]: z.ZodOptional<typeof ruleOverrideSchema>
        },
      )
      .default({}),
    /** Bounded queue of notifications per notifier; beyond it new ones are dropped and counted. */
    queueSize: z.number().int().positive().max(100_000).default(1000),
  })
  .superRefine((config, ctx) => {
    const cost = config.rules.cost_daily
    if (cost?.enabled === true && cost.threshold === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['rules', 'cost_daily', 'threshold'],
        message: 'a budget in USD is required',
      })
    }
  })
export type AlertsConfig = z.infer<typeof alertsConfigSchema>
export type RuleOverride = z.infer<typeof ruleOverrideSchema>
export type RuleWhere = z.infer<typeof whereSchema>

/**
 * The `alerts` section with every default filled in, plus the webhook of `PROMPTLEDGER_ALERT_WEBHOOK`
 * when the config module passes one. Errors name the bad key (or the variable).
 *
 * @example
 * parseAlertsConfig(fileConfig.alerts, { envWebhook: env['PROMPTLEDGER_ALERT_WEBHOOK'] })
 */
export function parseAlertsConfig(section: unknown, options: { envWebhook?: string | undefined } = {}): AlertsConfig {
  const parsed = alertsConfigSchema.safeParse(section ?? {})
  if (!parsed.success) throw configError(parsed.error.issues[0]!, ['alerts'])
  const config = parsed.data
  if (options.envWebhook) {
    const url = httpUrl.safeParse(options.envWebhook)
    if (!url.success)
      throw configError({ path: [], message: 'expected an http(s) URL' }, ['PROMPTLEDGER_ALERT_WEBHOOK'])
    config.notifiers.push(notifierConfigSchema.parse({ type: 'webhook', url: url.data }))
  }
  return config
}

/** A config error naming the key, e.g. `alerts.rules.latency_p95.treshold`. */
function configError(
  issue: { path: PropertyKey[]; message: string; code?: string; keys?: string[] },
  prefix: string[],
) {
  const keys = issue.code === 'unrecognized_keys' && issue.keys ? issue.keys : []
  const path = [...prefix, ...issue.path.map(String), ...keys].join('.')
  return new ServerError('CONFIG_INVALID', `invalid config at ${path}: ${issue.message}`, { path })
}
