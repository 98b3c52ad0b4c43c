import { mkdtempSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ApiKeyStore } from './api-key-store.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pl-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('ApiKeyStore', () => {
  it('creates role-tagged keys, stores only their SHA-256, and checks them', () => {
    const keys = ApiKeyStore.open({ dir })
    expect(keys.hasActiveKeys()).toBe(false)
    const { key, info } = keys.create({ role: 'auditor', name: 'compliance' })
    expect(key).toMatch(/^pl_aud_[A-Za-z0-9_-]{43}$/)
    expect(keys.check(key)).toEqual({ ok: true, key: info })
    expect(keys.check(`${key}x`)).toEqual({ ok: false, reason: 'unknown' })
    expect(keys.hasActiveKeys()).toBe(true)
    const raw = new Database(path.join(dir, 'auth.db'), { readonly: true })
    expect(JSON.stringify(raw.prepare('SELECT * FROM api_keys').all())).not.toContain(key.slice(7))
    raw.close()
    expect(statSync(path.join(dir, 'auth.db')).mode & 0o777).toBe(0o600)
    keys.close()
  })

  it('sees a key revoked by another process on the next check', () => {
    const server = ApiKeyStore.open({ dir })
    const cli = ApiKeyStore.open({ dir })
    const { key, info } = cli.create({ role: 'viewer', name: 'grafana' })
    expect(server.check(key).ok).toBe(true)
    expect(cli.revoke('grafana')?.id).toBe(info.id)
    expect(server.check(key)).toEqual({ ok: false, reason: 'revoked' })
    expect(server.hasActiveKeys()).toBe(false)
    expect(cli.revoke('grafana')).toBeNull()
    expect(server.list()).toHaveLength(1)
    server.close()
    cli.close()
  })

  it('sees keys created or revoked by another connection on the next hasActiveKeys call', () => {
    const server = ApiKeyStore.open({ dir })
    const cli = ApiKeyStore.open({ dir })
    // Asked twice before each change, so an answer kept from an earlier call would show.
    expect(server.hasActiveKeys()).toBe(false)
    expect(server.hasActiveKeys()).toBe(false)
    cli.create({ role: 'ingest', name: 'app' })
    expect(server.hasActiveKeys()).toBe(true)
    expect(server.hasActiveKeys()).toBe(true)
    cli.revoke('app')
    expect(server.hasActiveKeys()).toBe(false)
    // A plain SQL write from a third connection counts too (an older CLI, a restore).
    const raw = new Database(path.join(dir, 'auth.db'))
    raw.prepare('UPDATE api_keys SET revoked = NULL').run()
    raw.close()
    expect(server.hasActiveKeys()).toBe(true)
    server.close()
    cli.close()
  })

  it('sees its own creates and revokes on the next hasActiveKeys call', () => {
    const keys = ApiKeyStore.open({ dir })
    expect(keys.hasActiveKeys()).toBe(false)
    const { info } = keys.create({ role: 'ingest', name: 'app' })
    expect(keys.hasActiveKeys()).toBe(true)
    keys.revoke(info.id)
    expect(keys.hasActiveKeys()).toBe(false)
    keys.close()
  })

  it('rejects a bad role or name, naming the field', () => {
    const keys = ApiKeyStore.open({ dir })
    expect(() => keys.create({ role: 'root' as never, name: 'x' })).toThrow(/^role:/)
    expect(() => keys.create({ role: 'admin', name: '  ' })).toThrow(/^name:/)
    keys.close()
  })

  it('refuses an ambiguous revoke by name', () => {
    const keys = ApiKeyStore.open({ dir })
    keys.create({ role: 'ingest', name: 'app' })
    keys.create({ role: 'ingest', name: 'app' })
    expect(() => keys.revoke('app')).toThrowError(expect.objectContaining({ code: 'CONFLICT' }))
    keys.close()
  })
})
