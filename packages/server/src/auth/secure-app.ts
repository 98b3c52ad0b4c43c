import path from 'node:path'
import type { AppOptions } from '../app.js'
import type { ServerConfig } from '../config.js'
import { anchorsFileOf } from '../retention/retention-anchors.js'
import { type RetentionPolicy, retentionPolicySchema } from '../retention/retention-policy.js'
import { RetentionScheduler } from '../retention/retention-scheduler.js'
import type { Storage } from '../storage/storage.js'
import { checkListenHost, isLoopback } from './loopback.js'
import { securityConfigSchema } from './security-config.js'
import { openSecurityContext, type SecurityContext } from './security-context.js'
import { securityPlugin } from './security-plugin.js'
import { securityRoutes } from './security-routes.js'

export interface SecureServer {
  security: SecurityContext
  /** The line printed at start: keys required, or loopback-only mode. */
  notice: string
  /**
   * The server listens beyond loopback (it started because keys existed): every request needs a key, also after the
   * last one is revoked, so revoking locks the server rather than opening it to loopback.
   */
  requireKeys: boolean
  retention: RetentionPolicy
  /** Options for `createApp`: the auth plugin, security routes and the encrypt stage. */
  appOptions(storage: Storage): Pick<AppOptions, 'plugins' | 'routes' | 'encrypt' | 'commitKeys'>
  /** Starts the retention schedule (interval from config; 0 = off). */
  startRetention(storage: Storage, onError: (err: unknown) => void): RetentionScheduler
}

/**
 * Opens the data dir's security state and checks the listen host before anything listens: with no
 * API key, a non-loopback host is refused.
 *
 * @example
 * const secure = openSecureServer(config) // throws CONFIG_INVALID for 0.0.0.0 without keys
 * const app = await createApp({ storage, stream, ...secure.appOptions(storage) })
 */
export function openSecureServer(config: Pick<ServerConfig, 'data' | 'host' | 'auth' | 'retention'>): SecureServer {
  const security = openSecurityContext(config.data, securityConfigSchema.parse(config.auth ?? {}))
  let notice: string
  try {
    notice = checkListenHost(config.host, security.keys.hasActiveKeys())
  } catch (err) {
    security.close()
    throw err
  }
  const retention = retentionPolicySchema.parse(config.retention ?? {})
  const archiveDir = retention.archiveDir ?? path.join(config.data, 'archive')
  const requireKeys = !isLoopback(config.host)
  return {
    security,
    notice,
    requireKeys,
    retention,
    appOptions: (storage) => ({
      plugins: [securityPlugin(security, requireKeys)],
      routes: securityRoutes({ security, storage, retention, archiveDir }),
      ...(security.encrypting
        ? {
            encrypt: (record) => void security.encryptor.encryptRecord(record),
            commitKeys: () => security.encryptor.commitKeysAsync(),
          }
        : {}),
    }),
    startRetention(storage, onError) {
      const scheduler = new RetentionScheduler({
        storage,
        policy: retention,
        archiveDir,
        anchorsFile: anchorsFileOf(config.data),
        audit: security.audit,
        actor: { id: 'server', name: 'retention schedule', role: 'admin' },
        route: 'schedule: retention',
        intervalMs: retention.intervalMinutes * 60_000,
        onError,
      })
      scheduler.start()
      return scheduler
    },
  }
}
