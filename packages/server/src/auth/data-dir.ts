import { existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { ServerConfig } from '../config.js'
import { ServerError } from '../errors.js'
import { type RetentionPolicy, retentionPolicySchema } from '../retention/retention-policy.js'
import type { SqliteStorage } from '../storage/sqlite/sqlite-storage.js'
import type { Actor } from './audit-trail.js'
import { securityConfigSchema } from './security-config.js'
import { openDataDirStorage, openSecurityContext, type SecurityContext } from './security-context.js'

/** A data dir opened by a CLI command, possibly while the server runs on it. */
export interface OpenDataDir {
  security: SecurityContext
  /** The collector's store, or null when the dir holds no `ledger.db` (an SDK file ledger only). */
  storage: SqliteStorage | null
  retention: RetentionPolicy
  archiveDir: string
  close(): Promise<void>
}

/**
 * Opens a data dir's security state and store for the CLI (`erase`, `retention`, `export --user`).
 *
 * @example
 * const d = openDataDir(loadConfig({ flags: { data }, env: process.env })); … await d.close()
 */
export function openDataDir(config: Pick<ServerConfig, 'data' | 'auth' | 'retention'>): OpenDataDir {
  // A mistyped --data must not become a fresh, empty data dir on which an erasure or retention run "succeeds".
  if (!existsSync(config.data)) {
    throw new ServerError('CONFIG_INVALID', `data: no data directory at ${config.data} (check --data)`, {
      path: 'data',
    })
  }
  const security = openSecurityContext(config.data, securityConfigSchema.parse(config.auth ?? {}))
  const storage = existsSync(path.join(config.data, 'ledger.db')) ? openDataDirStorage(config.data, security) : null
  const retention = retentionPolicySchema.parse(config.retention ?? {})
  return {
    security,
    storage,
    retention,
    archiveDir: retention.archiveDir ?? path.join(config.data, 'archive'),
    async close() {
      await storage?.close()
      security.close()
    },
  }
}

/** Who acts from the CLI on the data dir: the local OS user (the CLI needs no key there; file permissions guard the dir). */
export function cliActor(): Actor {
  let user = 'unknown'
  try {
    user = os.userInfo().username
  } catch {
    // No passwd entry (some containers): the actor stays 'unknown', which the audit entry shows as such.
  }
  return { id: 'local', name: `cli:${user}`, role: 'admin' }
}
