import { createHash } from 'node:crypto'
import type { LedgerRecord } from '../../record/schema.js'

export interface SpanIds {
  traceId: string
  spanId: string
  parentSpanId?: string
}

const TRACE_ID = /^[0-9a-f]{32}$/i
const SPAN_ID = /^[0-9a-f]{16}$/i
const ZEROS = /^0+$/

/** A W3C/OTLP id: hex of the right length and not all zeros (the all-zero id means "no id"). */
function valid(id: string | null, shape: RegExp): string | null {
  return id !== null && shape.test(id) && !ZEROS.test(id) ? id.toLowerCase() : null
}

/**
 * The span's ids: the record's own trace context when it is valid, else ids derived from the record id, so that
 * exporting the same record again (a retry, a re-export from the ledger) gives the same span and backends that
 * dedupe by span id keep one. A derived trace id is the record id's hex digits, so searching a trace backend by
 * record id finds the span.
 */
export function spanIds(record: LedgerRecord): SpanIds {
  const digest = createHash('sha256').update(record.id).digest('hex')
  const spanId = valid(record.span_id, SPAN_ID) ?? digest.slice(0, 16)
  const traceId = valid(record.trace_id, TRACE_ID)
  if (traceId === null) {
    // Without the trace the parent belongs to, a parent id would point at nothing.
    return { traceId: valid(record.id.replaceAll('-', ''), TRACE_ID) ?? digest.slice(16, 48), spanId }
  }
  const parentSpanId = valid(record.parent_span_id, SPAN_ID)
  return parentSpanId === null ? { traceId, spanId } : { traceId, spanId, parentSpanId }
}
