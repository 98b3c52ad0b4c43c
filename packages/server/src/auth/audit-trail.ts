import { createHash } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { canonicalize, GENESIS_HASH } from '@promptledger/sdk'
import Database from 'better-sqlite3'

/** Who did something: a key, or `local` when the server runs without keys (loopback only). */
export interface Actor {
  id: string
  name: string
  role: string
}

const AUDIT_FILE = 'audit.db'

export const LOCAL_ACTOR: Actor = { id: 'local', name: 'local', role: 'admin' }

/** What is being recorded. Reads carry the filter, how many records and a digest of their ids. */
export interface AuditEvent {
  actor: Actor
  /** e.g. `records.list`, `records.get`, `export`, `key.create`, `erasure`, `retention.run`. */
  action: string
  /** The HTTP route (`GET /v1/records`) or CLI command (`cli: erase`). */
  route: string
  filter?: Record<string, unknown>
  /** Ids of the records returned or affected; only their count and digest are stored. */
  ids?: readonly string[]
  /** A count when ids are not listed (retention deletes, erasure). */
  count?: number
}

/** One stored entry; `hash` is SHA-256 over the canonical JSON of the other fields. */
export interface AuditEntry {
  seq: number
  ts: string
  actor_id: string
  actor_name: string
  actor_role: string
  action: string
  route: string
  filter: Record<string, unknown>
  count: number
  ids_sha256: string
  prev_hash: string
  hash: string
}

export interface AuditVerifyResult {
  ok: boolean
  entries: number
  head: string
  /** First broken entry and why. */
  broken?: { seq: number; reason: string }
}

/** SHA-256 over the ids, one per line, in the order they were returned. */
export function digestIds(ids: readonly string[]): string {
  return createHash('sha256').update(ids.join('\n')).digest('hex')
}

export function auditEntryHash(entry: Omit<AuditEntry, 'hash'>): string {
  return createHash('sha256').update(canonicalize(entry)).digest('hex')
}

/**
 * The append-only audit trail in `<data>/audit.db`, hash-chained like the ledger: each entry names
 * the previous entry's hash, so a removed or edited entry breaks `verify()`. Server and CLI append
 * to the same file; each append is one IMMEDIATE transaction, so concurrent writers serialise.
 *
 * @example
 * const audit = AuditTrail.open({ dir })
 * audit.append({ actor, action: 'records.get', route: 'GET /v1/records/:id', ids: [id] })
 * audit.verify().ok // true
 */
export class AuditTrail {
  readonly #db: Database.Database
  readonly #append: (event: AuditEvent) => AuditEntry

  private constructor(db: Database.Database) {
    this.#db = db
    const last = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1')
    const insert = db.prepare(
      `INSERT INTO audit (seq, ts, actor_id, actor_name, actor_role, action, route, filter, count, ids_sha256, prev_hash, hash)
       VALUES (@seq, @ts, @actor_id, @actor_name, @actor_role, @action, @route, @filter, @count, @ids_sha256, @prev_hash, @hash)`,
    )
    const tx = db.transaction((event: AuditEvent): AuditEntry => {
      const head = last.get() as { seq: number; hash: string } | undefined
      const body: Omit<AuditEntry, 'hash'> = {
        seq: head ? head.seq + 1 : 0,
        ts: new Date().toISOString(),
        actor_id: event.actor.id,
        actor_name: event.actor.name,
        actor_role: event.actor.role,
        action: event.action,
        route: event.route,
        filter: event.filter ?? {},
        count: event.count ?? event.ids?.length ?? 0,
        ids_sha256: digestIds(event.ids ?? []),
        prev_hash: head ? head.hash : GENESIS_HASH,
      }
      const entry = { ...body, hash: auditEntryHash(body) }
      insert.run({ ...entry, filter: JSON.stringify(entry.filter) })
      return entry
    })
    this.#append = (event) => tx.immediate(event)
  }

  /** Whether `dir` holds an audit trail (reading one that is not there would create it, empty). */
  static exists(dir: string): boolean {
    return existsSync(path.join(dir, AUDIT_FILE))
  }

  static open(options: { dir: string }): AuditTrail {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 })
    const file = path.join(options.dir, AUDIT_FILE)
    const db = new Database(file)
    chmodSync(file, 0o600)
    db.pragma('journal_mode = WAL')
    db.pragma('busy_timeout = 5000')
    db.exec(`CREATE TABLE IF NOT EXISTS audit (
      seq INTEGER PRIMARY KEY, ts TEXT NOT NULL, actor_id TEXT NOT NULL, actor_name TEXT NOT NULL,
      actor_role TEXT NOT NULL, action TEXT NOT NULL, route TEXT NOT NULL, filter TEXT NOT NULL,
      count INTEGER NOT NULL, ids_sha256 TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)`)
    return new AuditTrail(db)
  }

  append(event: AuditEvent): AuditEntry {
    return this.#append(event)
  }

  /** Entries in seq order, from `after` (exclusive), at most `limit`. */
  list(options: { after?: number; limit?: number; action?: string } = {}): AuditEntry[] {
    const rows = this.#db
      .prepare(`SELECT * FROM audit WHERE seq > ? AND (? IS NULL OR action = ?) ORDER BY seq LIMIT ?`)
      .all(options.after ?? -1, options.action ?? null, options.action ?? null, options.limit ?? 1000) as Array<
      Omit<AuditEntry, 'filter'> & { filter: string }
    >
    return rows.map((r) => ({ ...r, filter: JSON.parse(r.filter) as Record<string, unknown> }))
  }

  /** Recomputes every hash and link. */
  verify(): AuditVerifyResult {
    let prev = GENESIS_HASH
    let expected = 0
    let entries = 0
    for (const row of this.#db.prepare('SELECT * FROM audit ORDER BY seq').iterate() as Iterable<
      Omit<AuditEntry, 'filter'> & { filter: string }
    >) {
      const { hash, ...rest } = { ...row, filter: JSON.parse(row.filter) as Record<string, unknown> }
      const fail = (reason: string): AuditVerifyResult => ({
        ok: false,
        entries,
        head: prev,
        broken: { seq: row.seq, reason },
      })
      if (row.seq !== expected) return fail(`expected seq ${expected}`)
      if (row.prev_hash !== prev) return fail('prev_hash does not match the previous entry')
      if (auditEntryHash(rest) !== hash) return fail('hash does not match the entry')
      prev = hash
      expected++
      entries++
    }
    return { ok: true, entries, head: prev }
  }

  close(): void {
    this.#db.close()
  }
}
