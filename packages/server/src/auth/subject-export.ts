import type { Encryptor, LedgerRecord, ReadableRecord } from '@promptledger/sdk'
import type { Storage } from '../storage/storage.js'
import type { Actor, AuditTrail } from './audit-trail.js'

export interface SubjectExport {
  subject: string
  exported_at: string
  count: number
  /** Decrypted records; those whose key was erased carry `erased: true`. */
  records: ReadableRecord[]
}

export interface ExportSubjectOptions {
  userId: string
  records: AsyncIterable<LedgerRecord>
  /** Absent when encryption is off: records are returned as stored. */
  encryptor?: Encryptor
  audit: AuditTrail
  actor: Actor
  route: string
}

/** Every record of one user from a store, page by page (oldest pages are not held in memory twice). */
export async function* storageRecordsOf(storage: Storage, userId: string, pageSize = 500): AsyncIterable<LedgerRecord> {
  let cursor: string | undefined
  do {
    const page = await storage.query(
      { userId },
      cursor === undefined ? { limit: pageSize } : { limit: pageSize, cursor },
    )
    yield* page.records
    cursor = page.nextCursor ?? undefined
  } while (cursor !== undefined)
}

/**
 * The access export (GDPR art. 15): everything stored about one person, decrypted, as one JSON
 * document. Recorded in the audit trail with the digest of the exported ids.
 *
 * @example
 * const doc = await exportSubject({ userId: 'u-42', records: storageRecordsOf(storage, 'u-42'), encryptor, audit, actor, route })
 */
export async function exportSubject(options: ExportSubjectOptions): Promise<SubjectExport> {
  const out: ReadableRecord[] = []
  for await (const record of options.records) {
    if (record.user_id !== options.userId) continue
    out.push(options.encryptor ? options.encryptor.readRecord(record) : record)
  }
  options.audit.append({
    actor: options.actor,
    action: 'subject.export',
    route: options.route,
    filter: { user_id: options.userId },
    ids: out.map((r) => r.id),
  })
  return { subject: options.userId, exported_at: new Date().toISOString(), count: out.length, records: out }
}
