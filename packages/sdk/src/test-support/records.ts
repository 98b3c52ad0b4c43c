import { SCHEMA_VERSION, type UnsealedRecord } from '../record/schema.js'
import { uuidv7 } from '../record/uuidv7.js'

/**
 * A valid unsealed record for tests: a minimal chat call with every optional field null or empty;
 * override any field. Tests that need a sealed record pass it to `new Chain(genesis(stream)).seal()`.
 */
export function unsealedRecord(overrides: Partial<UnsealedRecord> = {}): UnsealedRecord {
  return {
    v: SCHEMA_VERSION,
    id: uuidv7(),
    ts: new Date().toISOString(),
    end_ts: null,
    latency_ms: 1,
    ttft_ms: null,
    provider: 'openai',
    operation: 'chat',
    request: { model: 'gpt-4o' },
    response: null,
    usage: null,
    cost_usd: null,
    status: 'ok',
    error: null,
    user_id: null,
    session_id: null,
    trace_id: null,
    span_id: null,
    parent_span_id: null,
    app: null,
    environment: null,
    tags: [],
    metadata: {},
    prompt_hash: null,
    redacted: true,
    redactions: {},
    ...overrides,
  }
}
