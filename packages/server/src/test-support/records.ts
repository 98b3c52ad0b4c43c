import { Chain, genesis, type LedgerRecord, type UnsealedRecord, uuidv7 } from '@promptledger/sdk'

/** A valid unsealed record with sensible defaults; override any field. */
export function unsealed(overrides: Partial<UnsealedRecord> = {}): UnsealedRecord {
  const ts = overrides.ts ?? new Date().toISOString()
  return {
    v: 1,
    id: uuidv7(),
    ts,
    end_ts: ts,
    latency_ms: 100,
    ttft_ms: 20,
    provider: 'openai',
    operation: 'chat',
    request: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hello there' }] },
    response: { model: 'gpt-4o', output: 'general kenobi', finish_reasons: ['stop'] },
    usage: { input_tokens: 10, output_tokens: 5 },
    cost_usd: 0.001,
    status: 'ok',
    error: null,
    user_id: 'u1',
    session_id: 's1',
    trace_id: null,
    span_id: null,
    parent_span_id: null,
    app: 'web',
    environment: 'test',
    tags: [],
    metadata: {},
    prompt_hash: null,
    redacted: true,
    redactions: {},
    ...overrides,
  }
}

/** Seals records into one stream, as a collector would. */
export function sealAll(records: UnsealedRecord[], stream = 'test-stream'): LedgerRecord[] {
  const chain = new Chain(genesis(stream))
  return records.map((r) => chain.seal(structuredClone(r)))
}
