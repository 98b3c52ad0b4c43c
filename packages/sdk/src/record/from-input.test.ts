import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { PromptLedgerError } from '../errors.js'
import { toRecord } from './from-input.js'
import { unsealedRecordSchema } from './schema.js'

const key = Buffer.alloc(32, 7)
const ctx = { id: '01936b2e-8f3a-7c21-9b1e-4f2d8a6c0e11', loggedAt: Date.UTC(2026, 0, 1), hmacKey: key, redacted: true }

describe('toRecord', () => {
  it('prices known models from the price table and leaves unknown models null', () => {
    const ctx = { id: '0193a1b2-0000-7000-8000-000000000000', loggedAt: 0, hmacKey: null, redacted: true }
    const usage = { inputTokens: 1_000_000, outputTokens: 0 }
    const known = toRecord({ model: 'gpt-4o', usage }, ctx)
    expect(known.cost_usd).toBeGreaterThan(0)
    expect(toRecord({ model: 'no-such-model-x', usage }, ctx).cost_usd).toBeNull()
    expect(toRecord({ model: 'gpt-4o', usage, costUsd: 1.5 }, ctx).cost_usd).toBe(1.5)
    expect(toRecord({ model: 'gpt-4o' }, ctx).cost_usd).toBeNull()
  })

  it('maps the simple form of the specification', () => {
    const r = toRecord(
      { prompt: 'Hi', response: 'Hello!', model: 'gpt-4o', userId: 'user_123', metadata: { endpoint: '/chat' } },
      ctx,
    )
    expect(r.request.messages).toEqual([{ role: 'user', content: 'Hi' }])
    expect(r.response?.output).toBe('Hello!')
    expect(r.user_id).toBe('user_123')
    expect(r.ts).toBe('2026-01-01T00:00:00.000Z')
    expect(r.prompt_hash).toBe(createHmac('sha256', key).update('Hi').digest('hex'))
    expect(unsealedRecordSchema.safeParse(JSON.parse(JSON.stringify(r))).success).toBe(true)
  })

  it('maps the structured form', () => {
    const r = toRecord(
      {
        messages: [
          { role: 'system', content: 's' },
          { role: 'user', content: 'q' },
        ],
        params: { temperature: 0.2 },
        output: [{ role: 'assistant', content: 'a' }],
        finishReasons: ['stop'],
        toolCalls: [{ name: 'f', arguments: '{}' }],
        usage: { inputTokens: 3, outputTokens: 4 },
        error: Object.assign(new TypeError('boom'), { status: 503 }),
        sessionId: 's1',
        traceId: 't1',
        tags: ['a'],
        latencyMs: 20,
      },
      ctx,
    )
    expect(r.status).toBe('error')
    expect(r.error).toEqual({ type: 'TypeError', message: 'boom', http_status: 503 })
    expect(r.usage?.input_tokens).toBe(3)
    expect(r.response?.tool_calls?.[0]).toEqual({ id: null, type: null, name: 'f', arguments: '{}' })
    expect(r.latency_ms).toBe(20)
    expect(Date.parse(r.end_ts!) - Date.parse(r.ts)).toBe(20)
    expect(unsealedRecordSchema.safeParse(JSON.parse(JSON.stringify(r))).success).toBe(true)
  })

  it('names the bad field', () => {
    expect(() => toRecord({ userId: 42 as unknown as string }, ctx)).toThrow(/"userId"/)
    expect(() => toRecord({ usage: { inputTokens: -1 } }, ctx)).toThrow(/usage.inputTokens/)
    expect(() => toRecord(null as never, ctx)).toThrow(PromptLedgerError)
    // Parsed tool arguments (an object) are a type slip the redaction scanners cannot read: refused here.
    const parsed = { name: 'lookup', arguments: { city: 'Paris' } as unknown as string }
    expect(() => toRecord({ toolCalls: [parsed] }, ctx)).toThrow(/"toolCalls\[0\]\.arguments"/)
    expect(() => toRecord({ toolCalls: [null as never] }, ctx)).toThrow(/"toolCalls\[0\]"/)
    expect(() => toRecord({ finishReasons: [1 as unknown as string] }, ctx)).toThrow(/"finishReasons"/)
    expect(() => toRecord({ usage: { estimated: 'yes' as unknown as boolean } }, ctx)).toThrow(/usage.estimated/)
    expect(() => toRecord({ model: 42 as unknown as string, usage: { inputTokens: 1 } }, ctx)).toThrow(/"model"/)
    expect(() => toRecord({ responseModel: {} as unknown as string }, ctx)).toThrow(/"responseModel"/)
    // Values no JSON encoder writes are refused by the field's name; a Date (toJSON) is still taken.
    expect(() => toRecord({ metadata: { n: 10n } }, ctx)).toThrow(/"metadata" must be JSON data/)
    expect(() => toRecord({ params: { t: Number.NaN } }, ctx)).toThrow(/"params"/)
    expect(() => toRecord({ response: { score: Number.POSITIVE_INFINITY } }, ctx)).toThrow(/"response"/)
    expect(toRecord({ metadata: { at: new Date(0) } }, ctx).metadata).toEqual({ at: new Date(0) })
    expect(() => toRecord({ messages: [null as never] }, ctx)).toThrow(/"messages\[0\]" must be an object/)
    const circular: Record<string, unknown> = { a: 1 }
    circular['self'] = circular
    expect(() => toRecord({ metadata: circular }, ctx)).toThrow(/"metadata" must be JSON data \(no cycles/)
    expect(() => toRecord({ startTime: 1e20 }, ctx)).toThrow(/"startTime" must be a Date or epoch milliseconds/)
  })

  it('takes a bare string error as its message', () => {
    expect(toRecord({ error: 'upstream timeout' as never }, ctx).error).toEqual({
      http_status: null,
      message: 'upstream timeout',
      type: 'Error',
    })
  })

  it('writes redacted: false when redaction is off', () => {
    expect(toRecord({ prompt: 'x' }, { ...ctx, redacted: false }).redacted).toBe(false)
  })
})
