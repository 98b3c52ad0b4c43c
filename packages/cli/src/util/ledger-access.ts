import { existsSync } from 'node:fs'
import path from 'node:path'
import { type LedgerRecord, openEncryptor } from '@promptledger/sdk'
import { AuditTrail, cliActor, loadConfig, securityConfigSchema } from '@promptledger/server'

/** Decrypting, audited read access to an encrypted ledger dir. */
export interface LedgerAccess {
  /** The record with its content decrypted (or marked erased). */
  read(record: LedgerRecord): LedgerRecord
  /** Appends one audit entry for the records read. */
  audit(action: string, route: string, filter: Record<string, unknown>, ids: string[]): void
  close(): void
}

/**
 * Opens read access when the dir holds encryption keys (a data key file); null for a plaintext ledger.
 * The master key comes from PROMPTLEDGER_MASTER_KEY (through the server's config loader) or the dir's keyring.
 */
export function openLedgerAccess(dir: string): LedgerAccess | null {
  if (!existsSync(path.join(dir, 'data-keys.json'))) return null
  const config = loadConfig({ flags: { data: dir }, env: process.env })
  const masterKey = securityConfigSchema.parse(config.auth ?? {}).masterKey
  const encryptor = openEncryptor({ dir, ...(masterKey ? { masterKey } : {}) })
  const trail = AuditTrail.open({ dir })
  return {
    read: (record) => encryptor.readRecord(record),
    audit: (action, route, filter, ids) => trail.append({ actor: cliActor(), action, route, filter, ids }),
    close: () => trail.close(),
  }
}
