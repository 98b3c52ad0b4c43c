import { Chain, genesis, type LedgerRecord, type UnsealedRecord } from '@promptledger/sdk'
import { unsealedRecord } from '../../../sdk/src/test-support/records.js'

/** A valid unsealed record with sensible defaults; override any field. */
export function unsealed(overrides: Partial<UnsealedRecord> = {}): UnsealedRecord {
  const ts = overrides.ts ?? new Date().toISOString()
  return unsealedRecord({
    ts,
    end_ts: ts,
    latency_ms: 100,
    ttft_ms: 20,
    request: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hello there' }] },
    response: { model: 'gpt-4o', output: 'general kenobi', finish_reasons: ['stop'] },
    usage: { input_tokens: 10, output_tokens: 5 },
    cost_usd: 0.001,
    user_id: 'u1',
    session_id: 's1',
    app: 'web',
    environment: 'test',
    ...overrides,
  })
}

/** Seals records into one stream, as a collector would. */
export function sealAll(records: UnsealedRecord[], stream = 'test-stream'): LedgerRecord[] {
  const chain = new Chain(genesis(stream))
  return records.map((r) => chain.seal(structuredClone(r)))
}
