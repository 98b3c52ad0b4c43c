import { chmodSync, existsSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { ServerError } from '../errors.js'

/** One alert: open until its rule stops breaching for its scope, then kept as history. */
export interface AlertRecord {
  id: number
  rule: string
  scope: Record<string, string>
  state: 'open' | 'resolved'
  value: number | null
  threshold: number | null
  message: string
  startedAt: string
  resolvedAt: string | null
  /** The measured value when it resolved. */
  resolvedValue: number | null
}

interface AlertRow {
  id: number
  rule: string
  scope: string
  state: 'open' | 'resolved'
  value: number | null
  threshold: number | null
  message: string
  started_at: string
  resolved_at: string | null
  resolved_value: number | null
}

// The partial unique index is the compare-and-set: of all collectors that see a breach at the same
// moment, exactly one INSERT succeeds, and only that collector notifies. Resolution is the same with
// an UPDATE guarded by `state = 'open'`.
const DDL = `
CREATE TABLE IF NOT EXISTS alerts (
  id INTEGER PRIMARY KEY,
  rule TEXT NOT NULL,
  scope_key TEXT NOT NULL,
  scope TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'resolved')),
  value REAL,
  threshold REAL,
  message TEXT NOT NULL,
  started_at TEXT NOT NULL,
  resolved_at TEXT,
  resolved_value REAL
);
CREATE UNIQUE INDEX IF NOT EXISTS alerts_one_open ON alerts(rule, scope_key) WHERE state = 'open';
CREATE INDEX IF NOT EXISTS alerts_started ON alerts(started_at);
`

function toRecord(row: AlertRow): AlertRecord {
  return {
    id: row.id,
    rule: row.rule,
    scope: JSON.parse(row.scope) as Record<string, string>,
    state: row.state,
    value: row.value,
    threshold: row.threshold,
    message: row.message,
    startedAt: row.started_at,
    resolvedAt: row.resolved_at,
    resolvedValue: row.resolved_value,
  }
}

export interface AlertStateStoreOptions {
  /** SQLite file shared by every collector over the same data dir, e.g. `<data>/alerts.db`; ':memory:' for tests. */
  path: string
}

/**
 * Open alerts and their history, in their own SQLite file so alert writes never contend with ingest.
 *
 * @example
 * const state = openAlertStateStore({ path: join(config.data, 'alerts.db') })
 * const opened = state.open({ rule: 'pii_leak', scope: {}, scopeKey: '{}', value: 1, threshold: 0, message, at })
 * if (opened) notify(opened) // null: another collector opened it first
 */
export class AlertStateStore {
  readonly #db: Database.Database
  readonly #insert: Database.Statement
  readonly #resolve: Database.Statement
  readonly #openForRule: Database.Statement
  readonly #open: Database.Statement
  readonly #history: Database.Statement
  readonly #countOpen: Database.Statement

  constructor(options: AlertStateStoreOptions) {
    const fresh = options.path !== ':memory:' && !existsSync(options.path)
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 })
    try {
      this.#db = new Database(options.path)
      this.#db.pragma('journal_mode = WAL')
      this.#db.pragma('busy_timeout = 5000')
      this.#db.exec(DDL)
    } catch (cause) {
      throw new ServerError('STORAGE_ERROR', 'cannot open the alert state database', { cause })
    }
    if (fresh) chmodSync(options.path, 0o600)
    this.#insert = this.#db.prepare(`INSERT OR IGNORE INTO alerts (rule, scope_key, scope, state, value, threshold,
      message, started_at) VALUES (?, ?, ?, 'open', ?, ?, ?, ?) RETURNING *`)
    this.#resolve = this.#db.prepare(`UPDATE alerts SET state = 'resolved', resolved_at = ?, resolved_value = ?
      WHERE rule = ? AND scope_key = ? AND state = 'open' RETURNING *`)
    this.#openForRule = this.#db.prepare(`SELECT * FROM alerts WHERE state = 'open' AND rule = ?`)
    this.#open = this.#db.prepare(`SELECT * FROM alerts WHERE state = 'open' ORDER BY started_at DESC, id DESC`)
    this.#history = this.#db.prepare(`SELECT * FROM alerts WHERE state = 'resolved'
      ORDER BY resolved_at DESC, id DESC LIMIT ?`)
    this.#countOpen = this.#db.prepare(`SELECT rule, count(*) AS n FROM alerts WHERE state = 'open' GROUP BY rule`)
  }

  /** Opens an alert unless one is already open for this rule and scope; returns it only to the winner. */
  open(input: {
    rule: string
    scope: Record<string, string>
    scopeKey: string
    value: number | null
    threshold: number | null
    message: string
    at: string
  }): AlertRecord | null {
    const row = this.#insert.get(
      input.rule,
      input.scopeKey,
      JSON.stringify(input.scope),
      input.value,
      input.threshold,
      input.message,
      input.at,
    ) as AlertRow | undefined
    return row ? toRecord(row) : null
  }

  /** Resolves the open alert of this rule and scope; returns it only to the collector that resolved it. */
  resolve(rule: string, scopeKey: string, value: number | null, at: string): AlertRecord | null {
    const row = this.#resolve.get(at, value, rule, scopeKey) as AlertRow | undefined
    return row ? toRecord(row) : null
  }

  /** Open alerts of one rule, with their scope keys (the evaluator resolves those no longer breaching). */
  openForRule(rule: string): Array<AlertRecord & { scopeKey: string }> {
    return (this.#openForRule.all(rule) as Array<AlertRow & { scope_key: string }>).map((row) => ({
      ...toRecord(row),
      scopeKey: row.scope_key,
    }))
  }

  listOpen(): AlertRecord[] {
    return (this.#open.all() as AlertRow[]).map(toRecord)
  }

  /** Resolved alerts, newest first. */
  history(limit = 100): AlertRecord[] {
    return (this.#history.all(limit) as AlertRow[]).map(toRecord)
  }

  /** Open alerts per rule (the `promptledger_alerts_open` gauge). */
  openCounts(): Map<string, number> {
    const rows = this.#countOpen.all() as Array<{ rule: string; n: number }>
    return new Map(rows.map((r) => [r.rule, r.n]))
  }

  close(): void {
    this.#db.close()
  }
}
