import { z } from 'zod'

/**
 * The `retention` config section. Age-based: records older than `maxAgeDays` are deleted, after an
 * optional archive into `archiveDir` (sealed, gzip NDJSON + manifest, still verifiable).
 */
export const retentionPolicySchema = z.strictObject({
  /** Days a record is kept; 30–90 days is the usual range for prompt logs. */
  maxAgeDays: z.number().positive().max(36500).default(30),
  archive: z.boolean().default(false),
  /** Where archives go; defaults to `<data>/archive`. */
  archiveDir: z.string().min(1).optional(),
  /** How often the server runs the policy; 0 turns the schedule off. */
  intervalMinutes: z.number().nonnegative().default(60),
})

export type RetentionPolicy = z.infer<typeof retentionPolicySchema>

/** The cutoff: records with `ts` before it are past retention. */
export function retentionCutoff(policy: Pick<RetentionPolicy, 'maxAgeDays'>, now: Date): string {
  return new Date(now.getTime() - policy.maxAgeDays * 86_400_000).toISOString()
}
