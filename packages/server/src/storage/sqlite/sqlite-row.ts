import type Database from 'better-sqlite3'
import type { RecordColumns } from '../record-columns.js'

/**
 * The `records` row insert, positional (binding by position is cheaper than looking up named keys); run it with
 * {@link runRecordInsert}, which passes the values in this order.
 */
export const INSERT_RECORD_ROW = `INSERT INTO records (rowid, id, ts, stream, seq, model, provider, user_id, session_id,
  app, status, latency, ttft, input_tokens, output_tokens, cost, response_chars, uncertain, pii_in_response,
  injection_score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

/**
 * Runs a statement prepared from {@link INSERT_RECORD_ROW} (plus any conflict clause) for one record. The values
 * go as arguments, not as one array: better-sqlite3 reads an array's elements through one V8 property lookup each
 * (about 400 instructions, 8,000 a record under callgrind), arguments directly.
 */
export function runRecordInsert(stmt: Database.Statement, rowid: number, c: RecordColumns): Database.RunResult {
  return stmt.run(
    rowid,
    c.id,
    c.ts,
    c.stream,
    c.seq,
    c.model,
    c.provider,
    c.user_id,
    c.session_id,
    c.app,
    c.status,
    c.latency,
    c.ttft,
    c.input_tokens,
    c.output_tokens,
    c.cost,
    c.response_chars,
    c.uncertain,
    c.pii_in_response,
    c.injection_score,
  )
}
