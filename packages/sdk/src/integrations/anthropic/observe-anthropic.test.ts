import Anthropic from '@anthropic-ai/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAKE_REPLY, type FakeUpstream, startFakeAnthropic } from '../../../../../test-support/fake-upstreams/index.js'
import type { LogInput } from '../../record/log-input.js'
import { observeAnthropic } from './observe-anthropic.js'

// The ledger is not under test here: a capturing `log()` stands in for it.
let fake: FakeUpstream
let plain: Anthropic
let wrapped: Anthropic
let records: LogInput[]
const messages = [{ role: 'user' as const, content: 'What is the weather in Paris?' }]
const tools = [
  { name: 'get_weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } },
]
const TOOL_INPUT = '{"city":"Paris","unit":"celsius"}'
const base = { model: 'claude-sonnet-4-5', max_tokens: 100, system: 'Be brief.', messages }

beforeAll(async () => {
  fake = await startFakeAnthropic()
  const opts = { apiKey: 'sk-ant-test', baseURL: fake.url, maxRetries: 0 }
  plain = new Anthropic(opts)
  wrapped = observeAnthropic(new Anthropic(opts), { log: (input) => records.push(input) })
})
afterAll(() => fake.close())

async function both<T>(call: (client: Anthropic) => Promise<T>): Promise<{ plain: T; wrapped: T; record: LogInput }> {
  records = []
  const a = await call(plain)
  const b = await call(wrapped)
  expect(records).toHaveLength(1)
  return { plain: a, wrapped: b, record: records[0]! }
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const c of stream) out.push(c)
  return out
}

describe('observeAnthropic', () => {
  it('returns the identical message and records it with normalised usage', async () => {
    const r = await both((c) => c.messages.create(base))
    expect(r.wrapped).toEqual(r.plain)
    const u = r.plain.usage
    expect(r.record).toMatchObject({
      provider: 'anthropic',
      operation: 'chat',
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'system', content: 'Be brief.' }, ...messages],
      params: { max_tokens: 100 },
      output: [{ role: 'assistant', content: FAKE_REPLY }],
      finishReasons: ['end_turn'],
      status: 'ok',
      usage: {
        inputTokens: u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0),
        outputTokens: u.output_tokens,
      },
    })
  })

  it('passes the identical event sequence through a stream and records text, usage and ttft', async () => {
    const r = await both(async (c) => collect(await c.messages.create({ ...base, stream: true })))
    expect(r.wrapped).toEqual(r.plain)
    const whole = await both((c) => c.messages.create(base))
    expect(r.record.output).toEqual(whole.record.output)
    expect(r.record.usage).toEqual(whole.record.usage)
    expect(r.record.finishReasons).toEqual(['end_turn'])
    expect(r.record.ttftMs).toBeGreaterThanOrEqual(0)
    expect(r.record.status).toBe('ok')
  })

  it('assembles streamed tool input JSON into the same tool call as the non-streamed message', async () => {
    const streamed = await both(async (c) => collect(await c.messages.create({ ...base, tools, stream: true })))
    expect(streamed.wrapped).toEqual(streamed.plain)
    const whole = await both((c) => c.messages.create({ ...base, tools }))
    for (const rec of [streamed.record, whole.record]) {
      expect(rec.toolCalls).toEqual([
        { id: expect.stringMatching(/^toolu_/), type: 'tool_use', name: 'get_weather', arguments: TOOL_INPUT },
      ])
      expect(rec.finishReasons).toEqual(['tool_use'])
    }
  })

  it('records messages.stream() through create, and the helper still works', async () => {
    records = []
    const final = await wrapped.messages.stream(base).finalMessage()
    const expected = await plain.messages.stream(base).finalMessage()
    expect(final).toEqual(expected)
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ status: 'ok', output: [{ role: 'assistant', content: FAKE_REPLY }] })
  })

  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
  ])('records HTTP %i with its status and type', async (status, type) => {
    records = []
    const req = { ...base, model: `fake-error-${status}` }
    const e1 = await plain.messages.create(req).catch((e: unknown) => e)
    const e2 = await wrapped.messages.create(req).catch((e: unknown) => e)
    expect((e2 as Error).constructor).toBe((e1 as Error).constructor)
    expect((e2 as InstanceType<typeof Anthropic.APIError>).status).toBe(status)
    expect(records[0]).toMatchObject({ status: 'error', error: { httpStatus: status, type } })
  })

  it('records a stream cut midway as aborted with the text received so far', async () => {
    records = []
    const seen: unknown[][] = [[], []]
    const outcomes: string[] = []
    for (const [i, c] of [plain, wrapped].entries()) {
      try {
        for await (const e of await c.messages.create({ ...base, model: 'fake-cut', stream: true })) seen[i]!.push(e)
        outcomes.push('ended')
      } catch (e) {
        outcomes.push((e as Error).constructor.name)
      }
    }
    expect(outcomes[1]).toBe(outcomes[0])
    expect(seen[1]).toEqual(seen[0])
    expect(records[0]).toMatchObject({ status: 'error', error: { type: 'aborted' } })
  })
})
