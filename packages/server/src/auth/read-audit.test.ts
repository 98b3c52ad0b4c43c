import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sealAll, unsealed } from '../test-support/records.js'
import { digestIds } from './audit-trail.js'
import { decryptPayload } from './read-audit.js'
import { openSecurityContext, type SecurityContext } from './security-context.js'

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

describe('decryptPayload', () => {
  it('decrypts pages, single records and arrays, and collects every id (encrypted or not)', () => {
    const [plain, secret] = sealAll([unsealed(), security.encryptor.encryptRecord(unsealed({ user_id: 'u9' }))])
    expect(JSON.stringify(secret)).not.toContain('general kenobi')
    const page = decryptPayload(security, { records: [plain, secret], next_cursor: null })
    expect(page.ids).toEqual([plain!.id, secret!.id])
    expect(JSON.stringify(page.payload)).toContain('general kenobi')
    expect(decryptPayload(security, secret).ids).toEqual([secret!.id])
    expect(decryptPayload(security, [secret]).ids).toEqual([secret!.id])
    expect(decryptPayload(security, { status: 'ok' })).toEqual({ payload: { status: 'ok' }, ids: [] })
    expect(digestIds(page.ids)).toMatch(/^[0-9a-f]{64}$/)
  })
})
