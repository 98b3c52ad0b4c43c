import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sealAll, unsealed } from '../test-support/records.js'
import { digestIds, LOCAL_ACTOR } from './audit-trail.js'
import { eraseSubject } from './erasure.js'
import { openDataDirStorage, openSecurityContext, type SecurityContext } from './security-context.js'
import { exportSubject, storageRecordsOf } from './subject-export.js'

let dir: string
let security: SecurityContext
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pl-'))
  security = openSecurityContext(dir, { encrypt: true, tenant: 'default' })
})
afterEach(() => {
  security.close()
  rmSync(dir, { recursive: true, force: true })
})

async function seeded() {
  const storage = openDataDirStorage(dir, security)
  const records = [unsealed({ user_id: 'ana' }), unsealed({ user_id: 'ana' }), unsealed({ user_id: 'ben' })]
  for (const r of records) security.encryptor.encryptRecord(r)
  security.encryptor.commitKeys()
  await storage.append(sealAll(records))
  return { storage, records }
}

describe('exportSubject and eraseSubject', () => {
  it('exports one user decrypted and audited, then erases them', async () => {
    const { storage, records } = await seeded()
    const base = { audit: security.audit, actor: LOCAL_ACTOR, route: 'test' }
    const doc = await exportSubject({
      ...base,
      userId: 'ana',
      records: storageRecordsOf(storage, 'ana', 1),
      encryptor: security.encryptor,
    })
    expect(doc).toMatchObject({ subject: 'ana', count: 2 })
    expect(doc.records.every((r) => r.response?.output === 'general kenobi' && !r.enc)).toBe(true)
    expect(security.audit.list()[0]).toMatchObject({
      action: 'subject.export',
      count: 2,
      ids_sha256: digestIds(doc.records.map((r) => r.id)),
    })

    const erased = await eraseSubject({ ...base, userId: 'ana', keys: security.dataKeys, storage })
    expect(erased).toMatchObject({ userId: 'ana', records: 2, keyIds: [records[0]!.enc!.key_id] })
    const after = await exportSubject({
      ...base,
      userId: 'ana',
      records: storageRecordsOf(storage, 'ana'),
      encryptor: security.encryptor,
    })
    expect(after.records.map((r) => r.erased)).toEqual([true, true])
    expect(security.audit.list({ action: 'erasure' })).toMatchObject([{ count: 2, filter: { user_id: 'ana' } }])
    await storage.close()
  })

  it('audits a failed purge and surfaces the error', async () => {
    const { storage } = await seeded()
    await storage.close()
    await expect(
      eraseSubject({
        userId: 'ben',
        keys: security.dataKeys,
        storage,
        audit: security.audit,
        actor: LOCAL_ACTOR,
        route: 'test',
      }),
    ).rejects.toThrow()
    expect(security.audit.list().map((e) => e.action)).toEqual(['erasure.failed'])
    expect(security.dataKeys.has('user:ben')).toBe(false) // the key went first: ben's content is unreadable anyway
  })
})
