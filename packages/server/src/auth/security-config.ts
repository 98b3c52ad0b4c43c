import { z } from 'zod'

/**
 * The `auth` config section: encryption at rest and where the master key comes from. The env
 * master key (`PROMPTLEDGER_MASTER_KEY`, base64 of 32 bytes) is read by the config module and
 * arrives here as `masterKey`; without it the data dir's keyring holds the master key.
 */
export const securityConfigSchema = z.strictObject({
  /** Encrypt content fields at rest (per-user data keys). On by default. */
  encrypt: z.boolean().default(true),
  masterKey: z.string().min(1).optional(),
  /** Names the tenant key for records without a user. */
  tenant: z.string().min(1).max(200).default('default'),
})

export type SecurityConfig = z.infer<typeof securityConfigSchema>
