import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { chmodSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { ServerError } from '../errors.js'
import { isRole, ROLE_TAG, type Role } from './roles.js'

/** A stored key, without its secret. */
export interface ApiKeyInfo {
  id: string
  name: string
  role: Role
  created: string
  revoked: string | null
}

/** Outcome of checking a presented key. */
export type KeyCheck = { ok: true; key: ApiKeyInfo } | { ok: false; reason: 'unknown' | 'revoked' }

interface Row {
  id: string
  name: string
  role: string
  created: string
  revoked: string | null
  key_hash: Buffer
}

// Keys are 256 random bits, so a single fast SHA-256 is enough: there is nothing to guess, and the
// slow hashes meant for passwords would only add latency to every request.
const hashKey = (key: string): Buffer => createHash('sha256').update(key).digest()

/**
 * API keys in `<data>/auth.db` (SQLite, WAL), so `promptledger keys` can add or revoke keys while
 * the server runs: the server checks each request with a prepared statement against the file, and
 * a revoke takes effect on the next request.
 *
 * @example
 * const keys = ApiKeyStore.open({ dir: './promptledger-data' })
 * const { key } = keys.create({ role: 'viewer', name: 'grafana' }) // show once
 * keys.check(key) // { ok: true, key: { id, name: 'grafana', role: 'viewer', … } }
 */
export class ApiKeyStore {
  readonly #db: Database.Database
  readonly #byHash: Database.Statement<[Buffer], Row>
  readonly #active: Database.Statement<[], { n: number }>
  readonly #dataVersion: Database.Statement<[], number>
  /**
   * `hasActiveKeys()` runs on every request (the proxy's hot path included), so its answer is kept with the
   * `PRAGMA data_version` it was read at: that number changes when another connection (`promptledger keys`)
   * commits, and this store's own writes clear the answer, so a new key or a revoke still applies at once.
   */
  #activeCached: { version: number; active: boolean } | null = null

  private constructor(db: Database.Database) {
    this.#db = db
    this.#byHash = db.prepare('SELECT * FROM api_keys WHERE key_hash = ?')
    this.#active = db.prepare('SELECT count(*) AS n FROM api_keys WHERE revoked IS NULL')
    this.#dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck()
  }

  static open(options: { dir: string }): ApiKeyStore {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 })
    const file = path.join(options.dir, 'auth.db')
    const db = new Database(file)
    chmodSync(file, 0o600)
    db.pragma('journal_mode = WAL')
    db.pragma('busy_timeout = 5000')
    db.exec(`CREATE TABLE IF NOT EXISTS api_keys (
      id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, created TEXT NOT NULL,
      revoked TEXT, key_hash BLOB NOT NULL UNIQUE)`)
    return new ApiKeyStore(db)
  }

  /** Creates a key; the returned `key` is the only time the secret exists outside the caller. */
  create(input: { role: Role; name: string }): { key: string; info: ApiKeyInfo } {
    if (!isRole(input.role)) throw new ServerError('BAD_REQUEST', `role: expected ingest, viewer, auditor or admin`)
    const name = input.name.trim()
    if (name === '' || name.length > 200) throw new ServerError('BAD_REQUEST', 'name: expected 1-200 characters')
    const key = `pl_${ROLE_TAG[input.role]}_${randomBytes(32).toString('base64url')}`
    const info: ApiKeyInfo = {
      id: randomBytes(6).toString('hex'),
      name,
      role: input.role,
      created: new Date().toISOString(),
      revoked: null,
    }
    this.#db
      .prepare('INSERT INTO api_keys (id, name, role, created, revoked, key_hash) VALUES (?, ?, ?, ?, NULL, ?)')
      .run(info.id, info.name, info.role, info.created, hashKey(key))
    this.#activeCached = null
    return { key, info }
  }

  /** Checks a presented key. Constant-time on the digest, so response time says nothing about near misses. */
  check(presented: string): KeyCheck {
    const digest = hashKey(presented)
    const row = this.#byHash.get(digest)
    if (!row || !timingSafeEqual(row.key_hash, digest)) return { ok: false, reason: 'unknown' }
    if (row.revoked !== null) return { ok: false, reason: 'revoked' }
    return { ok: true, key: toInfo(row) }
  }

  /** Revokes by id or name; returns the revoked key, or null if none matched. */
  revoke(idOrName: string): ApiKeyInfo | null {
    const rows = this.#db
      .prepare('SELECT * FROM api_keys WHERE (id = ? OR name = ?) AND revoked IS NULL')
      .all(idOrName, idOrName) as Row[]
    if (rows.length > 1) {
      throw new ServerError('CONFLICT', `${rows.length} active keys are named ${idOrName}; revoke by id`)
    }
    const row = rows[0]
    if (!row) return null
    const revoked = new Date().toISOString()
    this.#db.prepare('UPDATE api_keys SET revoked = ? WHERE id = ?').run(revoked, row.id)
    this.#activeCached = null
    return { ...toInfo(row), revoked }
  }

  list(): ApiKeyInfo[] {
    return (this.#db.prepare('SELECT * FROM api_keys ORDER BY created').all() as Row[]).map(toInfo)
  }

  /** Whether any key is active; without one the server serves loopback only. */
  hasActiveKeys(): boolean {
    const version = this.#dataVersion.get() as number
    const cached = this.#activeCached
    if (cached !== null && cached.version === version) return cached.active
    const active = (this.#active.get()?.n ?? 0) > 0
    this.#activeCached = { version, active }
    return active
  }

  close(): void {
    this.#db.close()
  }
}

function toInfo(row: Row): ApiKeyInfo {
  return { id: row.id, name: row.name, role: row.role as Role, created: row.created, revoked: row.revoked }
}
