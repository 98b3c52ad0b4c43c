import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AuditTrail, digestIds, LOCAL_ACTOR } from './audit-trail.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pl-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const actor = { id: 'k1', name: 'grafana', role: 'viewer' }

describe('AuditTrail', () => {
  it('chains entries across writers and verifies', () => {
    const a = AuditTrail.open({ dir })
    const b = AuditTrail.open({ dir })
    const e0 = a.append({
      actor,
      action: 'records.list',
      route: 'GET /v1/records',
      filter: { model: 'x' },
      ids: ['1', '2'],
    })
    const e1 = b.append({ actor: LOCAL_ACTOR, action: 'erasure', route: 'cli: erase', count: 3 })
    expect(e0.count).toBe(2)
    expect(e0.ids_sha256).toBe(digestIds(['1', '2']))
    expect(e1.seq).toBe(1)
    expect(e1.prev_hash).toBe(e0.hash)
    expect(a.verify()).toEqual({ ok: true, entries: 2, head: e1.hash })
    expect(a.list({ action: 'erasure' })).toEqual([e1])
    expect(a.list({ after: 0 })).toEqual([e1])
    a.close()
    b.close()
  })

  it('detects an edited or removed entry', () => {
    const trail = AuditTrail.open({ dir })
    for (let i = 0; i < 3; i++)
      trail.append({ actor, action: 'records.get', route: 'GET /v1/records/:id', ids: [`${i}`] })
    const raw = new Database(path.join(dir, 'audit.db'))
    raw.prepare("UPDATE audit SET actor_name = 'someone else' WHERE seq = 1").run()
    expect(trail.verify()).toMatchObject({ ok: false, broken: { seq: 1, reason: 'hash does not match the entry' } })
    raw.prepare("UPDATE audit SET actor_name = 'grafana' WHERE seq = 1").run()
    expect(trail.verify().ok).toBe(true)
    raw.prepare('DELETE FROM audit WHERE seq = 1').run()
    expect(trail.verify()).toMatchObject({ ok: false, broken: { seq: 2 } })
    raw.close()
    trail.close()
  })
})
