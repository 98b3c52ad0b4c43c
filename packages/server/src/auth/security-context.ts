import { createHmac, randomBytes } from 'node:crypto'
import path from 'node:path'
import {
  DataKeyStore,
  Encryptor,
  EnvKeyProvider,
  type KeyProvider,
  LocalKeyringProvider,
  openKeyring,
} from '@promptledger/sdk'
import { openSqliteStorage, type SqliteStorage, type SqliteStorageOptions } from '../storage/sqlite/sqlite-storage.js'
import { ApiKeyStore } from './api-key-store.js'
import { AuditTrail } from './audit-trail.js'
import type { SecurityConfig } from './security-config.js'

/** Everything that guards a data dir: API keys, the audit trail, and the encryption keys. */
export interface SecurityContext {
  dataDir: string
  keys: ApiKeyStore
  audit: AuditTrail
  dataKeys: DataKeyStore
  /** Reads (and, when `encrypting`, writes) encrypted content. */
  encryptor: Encryptor
  /** Encrypt newly stored records. */
  encrypting: boolean
  /**
   * Keyed digest of a search query for the audit trail: the trail must not become a plaintext copy
   * of what was searched (it would survive an erasure); a plain hash of a short term is guessable.
   */
  digestQuery(q: string): string
  close(): void
}

/** The master key provider named by the config: the env key when given, else the data dir's keyring. */
export function keyProviderFor(dataDir: string, config: Pick<SecurityConfig, 'masterKey'>): KeyProvider {
  return config.masterKey
    ? new EnvKeyProvider({ masterKeyBase64: config.masterKey, source: 'PROMPTLEDGER_MASTER_KEY' })
    : LocalKeyringProvider.open({ dir: dataDir })
}

/**
 * Opens the security state of a data dir, shared by the server and the CLI (which may run at the
 * same time: every file involved tolerates a second process).
 *
 * @example
 * const security = openSecurityContext('./promptledger-data', { encrypt: true, tenant: 'default' })
 */
export function openSecurityContext(
  dataDir: string,
  config: Pick<SecurityConfig, 'encrypt' | 'masterKey' | 'tenant'>,
): SecurityContext {
  const keys = ApiKeyStore.open({ dir: dataDir })
  const audit = AuditTrail.open({ dir: dataDir })
  let dataKeys: DataKeyStore
  try {
    // Even with encryption off, existing encrypted records must stay readable and erasable.
    // Batch mode: ingest commits a batch's new keys once, before the batch is stored.
    dataKeys = DataKeyStore.open({ dir: dataDir, provider: keyProviderFor(dataDir, config), persist: 'batch' })
  } catch (err) {
    keys.close()
    audit.close()
    throw err
  }
  const encryptor = new Encryptor({ keys: dataKeys, tenant: config.tenant, keepPlaintextForIndex: true })
  const queryKey = Buffer.from(
    openKeyring(dataDir).getOrCreate('audit-query-hmac', () => randomBytes(32).toString('base64')),
    'base64',
  )
  return {
    dataDir,
    keys,
    audit,
    dataKeys,
    encryptor,
    encrypting: config.encrypt,
    digestQuery: (q) => createHmac('sha256', queryKey).update(q).digest('hex'),
    close() {
      keys.close()
      audit.close()
    },
  }
}

/** The collector's SQLite store in a data dir (`<data>/ledger.db`), as the CLI opens it beside a running server. */
export function openDataDirStorage(dataDir: string, security?: SecurityContext): SqliteStorage {
  return openSqliteStorage({
    path: path.join(dataDir, 'ledger.db'),
    ...(security ? indexingOptions(security) : {}),
  })
}

/** What a store needs of the security context to index encrypted records: their plaintext, and which keys are erased. */
export function indexingOptions(
  security: SecurityContext,
): Pick<SqliteStorageOptions, 'plaintextView' | 'isErasedKey'> {
  return { plaintextView: security.encryptor.searchView, isErasedKey: (keyId) => security.dataKeys.isErased(keyId) }
}
