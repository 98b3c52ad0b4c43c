import { type DataKeyStore, subjectOf } from '@promptledger/sdk'
import type { Storage } from '../storage/storage.js'
import type { Actor, AuditTrail } from './audit-trail.js'

export interface EraseSubjectOptions {
  userId: string
  keys: DataKeyStore
  /** The store whose derived plaintext (search rows, caches) must go; absent for a file-ledger-only data dir. */
  storage?: Storage
  audit: AuditTrail
  actor: Actor
  /** The route or command, for the audit entry. */
  route: string
  /** Without a store: counts the subject's records where they are (a file ledger), for the result and the audit. */
  countRecords?: () => Promise<number>
}

export interface EraseSubjectResult {
  userId: string
  /** The destroyed data keys' ids; empty when the subject had none (nothing was ever encrypted for it). */
  keyIds: string[]
  /** Records whose derived plaintext the store purged. */
  records: number
  /**
   * When the erasure took effect (ISO 8601): records of the user that began at or before it and reach a store
   * later (in flight, delivered late) are sealed as erased too.
   */
  erasedAt: string
}

/**
 * Erases one person: destroys their data key (so every copy of their ciphertext, in every store,
 * archive and backup, becomes unreadable), then has the store purge derived plaintext. Records keep
 * their metadata (time, model, tokens, cost) and the chain stays intact, because the chain hashes
 * ciphertext. The act is recorded in the audit trail, including when the purge fails.
 *
 * @example
 * await eraseSubject({ userId: 'u-42', keys, storage, audit, actor, route: 'POST /v1/erasure' })
 */
export async function eraseSubject(options: EraseSubjectOptions): Promise<EraseSubjectResult> {
  const { userId, keys, storage, audit, actor, route } = options
  // The key goes first: once it is gone no reader can decrypt, whatever happens next.
  const at = Date.now()
  const keyIds = keys.destroy(subjectOf(userId), at)
  const erasedAt = new Date(at).toISOString()
  const filter = { user_id: userId, key_ids: keyIds, erased_at: erasedAt }
  let records = 0
  try {
    records = storage ? await storage.eraseSubject(userId) : ((await options.countRecords?.()) ?? 0)
  } catch (err) {
    audit.append({ actor, action: 'erasure.failed', route, filter })
    throw err
  }
  audit.append({ actor, action: 'erasure', route, filter, count: records })
  return { userId, keyIds, records, erasedAt }
}
