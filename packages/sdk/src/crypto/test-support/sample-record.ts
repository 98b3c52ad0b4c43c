import { Chain, genesis, type LedgerRecord, SCHEMA_VERSION, uuidv7 } from '../../index.js'

/** A sealed record with every content field filled, for crypto tests. */
export function sampleRecord(userId: string | null, secret: string, chain = new Chain(genesis('test'))): LedgerRecord {
  return chain.seal({
    v: SCHEMA_VERSION,
    id: uuidv7(),
    ts: new Date().toISOString(),
    end_ts: null,
    latency_ms: 12,
    ttft_ms: null,
    provider: 'openai',
    operation: 'chat',
    request: {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: `question ${secret}` }],
      params: { temperature: 0 },
    },
    response: {
      model: 'gpt-4o',
      output: `answer ${secret}`,
      tool_calls: [{ id: 't1', type: 'function', name: 'lookup', arguments: `{"q":"${secret}"}` }],
    },
    usage: { input_tokens: 10, output_tokens: 20 },
    cost_usd: 0.001,
    status: 'error',
    error: { type: 'timeout', message: `failed on ${secret}`, http_status: 504 },
    user_id: userId,
    session_id: null,
    trace_id: null,
    span_id: null,
    parent_span_id: null,
    app: 'demo',
    environment: null,
    tags: [],
    metadata: { note: `meta ${secret}`, attempt: 2, ok: true, nested: { deep: secret } },
    prompt_hash: null,
    redacted: true,
    redactions: {},
  })
}
