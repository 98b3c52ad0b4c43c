import type { GroupBy } from '../storage/storage.js'
import type { AlertsConfig, RuleName, RuleScope, RuleWhere } from './alerts-config.js'

export type RuleUnit = 'fraction' | 'ms' | 'count' | 'score' | 'usd'

/** A rule with every setting decided: the defaults below overlaid with the config file. */
export interface ResolvedRule {
  name: RuleName
  enabled: boolean
  /** Fires when the measured value exceeds it; null only for a rule that cannot run yet (cost without budget). */
  threshold: number | null
  windowSeconds: number
  scope: RuleScope
  where: RuleWhere
  minCount: number
  /** `response_length` only. */
  baselineDays: number
  unit: RuleUnit
  description: string
}

interface RuleDefault {
  enabled: boolean
  threshold: number | null
  windowSeconds: number
  scope: RuleScope
  unit: RuleUnit
  description: string
}

const MINUTES_5 = 300
const HOUR = 3600
const DAY = 86400

/**
 * The defaults: error rate (real time and daily), response length, leaked personal data and uncertain answers watched
 * from the start, and two rules that stay off until configured (injection: user-controlled input, too noisy to page on
 * by default; cost: needs a budget).
 */
export const RULE_DEFAULTS: Record<RuleName, RuleDefault> = {
  error_rate: {
    enabled: true,
    threshold: 0.01,
    windowSeconds: MINUTES_5,
    scope: 'global',
    unit: 'fraction',
    description: 'error rate > 1 % of responses (real time: 5-minute window)',
  },
  error_rate_daily: {
    enabled: true,
    threshold: 0.01,
    windowSeconds: DAY,
    scope: 'global',
    unit: 'fraction',
    description: 'error rate > 1 % of responses (daily: 24-hour window)',
  },
  response_length: {
    enabled: true,
    threshold: 0.2,
    windowSeconds: HOUR,
    scope: 'global',
    unit: 'fraction',
    description: 'average response length outside ±20 % of baseline (last hour vs same hour of the trailing 7 days)',
  },
  pii_leak: {
    enabled: true,
    threshold: 0,
    windowSeconds: MINUTES_5,
    scope: 'global',
    unit: 'count',
    description: 'any response that held personal data before redaction (real time)',
  },
  latency_p95: {
    enabled: true,
    threshold: 5000,
    windowSeconds: MINUTES_5,
    scope: 'global',
    unit: 'ms',
    description: 'API latency p95 > 5 s (5-minute rolling window)',
  },
  uncertainty: {
    enabled: true,
    threshold: 10,
    windowSeconds: HOUR,
    scope: 'global',
    unit: 'count',
    description: 'more than 10 uncertain answers ("i\'m not sure", "as an ai", …) per hour',
  },
  injection: {
    enabled: false,
    threshold: 0.75,
    windowSeconds: MINUTES_5,
    scope: 'global',
    unit: 'score',
    description: 'a prompt with injection score > 0.75 (off by default)',
  },
  cost_daily: {
    enabled: false,
    threshold: null,
    windowSeconds: DAY,
    scope: 'app',
    unit: 'usd',
    description: 'cost over the last 24 hours above a budget in USD (off until a budget is set)',
  },
}

/** The `GroupBy` of the store for each scope. */
export const SCOPE_GROUP_BY: Record<RuleScope, GroupBy | null> = {
  global: null,
  model: 'model',
  app: 'app',
  user: 'user_id',
  provider: 'provider',
}

/**
 * Overlays the config file's `rules` on the defaults. A rule turns on when enabled explicitly, or,
 * for `cost_daily`, when a budget (`threshold`) is given.
 *
 * @example
 * resolveRules({ cost_daily: { threshold: 50 } }).find((r) => r.name === 'cost_daily')?.enabled // true
 */
export function resolveRules(rules: AlertsConfig['rules']): ResolvedRule[] {
  return (Object.keys(RULE_DEFAULTS) as RuleName[]).map((name) => {
    const base = RULE_DEFAULTS[name]
    const override = rules[name] ?? {}
    const threshold = override.threshold ?? base.threshold
    const enabledByBudget = name === 'cost_daily' && override.threshold !== undefined
    return {
      name,
      enabled: (override.enabled ?? (base.enabled || enabledByBudget)) && threshold !== null,
      threshold,
      windowSeconds: override.windowSeconds ?? base.windowSeconds,
      scope: override.scope ?? base.scope,
      where: override.where ?? {},
      minCount: override.minCount ?? 1,
      baselineDays: override.baselineDays ?? 7,
      unit: base.unit,
      description: base.description,
    }
  })
}
