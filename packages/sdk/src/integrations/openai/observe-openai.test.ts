import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAKE_REPLY, type FakeUpstream, startFakeOpenAI } from '../../../../../test-support/fake-upstreams/index.js'
import type { LogInput } from '../../record/log-input.js'
import { withContext } from '../capture-context.js'
import { captureErrorCount } from '../ledger-like.js'
import { observeOpenAI } from './observe-openai.js'

// The ledger is not under test here: a capturing `log()` stands in for it.
let fake: FakeUpstream
let plain: OpenAI
let wrapped: OpenAI
let records: LogInput[]
const messages = [{ role: 'user' as const, content: 'What is the weather in Paris?' }]
const tools = [
  {
    type: 'function' as const,
    function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
  },
]
const TOOL_ARGS = '{"city":"Paris","unit":"celsius"}'

beforeAll(async () => {
  fake = await startFakeOpenAI()
  const opts = { apiKey: 'sk-test', baseURL: `${fake.url}/v1`, maxRetries: 0 }
  plain = new OpenAI(opts)
  wrapped = observeOpenAI(new OpenAI(opts), { log: (input) => records.push(input) }, { app: 'test-app', tags: ['t1'] })
})
afterAll(() => fake.close())

async function both<T>(call: (client: OpenAI) => Promise<T>): Promise<{ plain: T; wrapped: T; record: LogInput }> {
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

describe('observeOpenAI chat.completions', () => {
  it('returns the identical completion and records it', async () => {
    const r = await both((c) => c.chat.completions.create({ model: 'gpt-4o-mini', messages, temperature: 0.2 }))
    expect(r.wrapped).toEqual(r.plain)
    expect(r.record).toMatchObject({
      provider: 'openai',
      operation: 'chat',
      model: 'gpt-4o-mini',
      messages,
      params: { temperature: 0.2 },
      output: [{ role: 'assistant', content: FAKE_REPLY }],
      finishReasons: ['stop'],
      status: 'ok',
      error: null,
      ttftMs: null,
      app: 'test-app',
      tags: ['t1'],
      responseId: r.plain.id,
      usage: {
        inputTokens: r.plain.usage?.prompt_tokens,
        outputTokens: r.plain.usage?.completion_tokens,
        cacheReadTokens: 0,
      },
    })
    expect(r.record.latencyMs).toBeGreaterThanOrEqual(0)
  })

  it('passes the identical chunk sequence through a stream and assembles text, usage and ttft', async () => {
    const req = { model: 'gpt-4o-mini', messages, stream: true as const, stream_options: { include_usage: true } }
    const r = await both(async (c) => collect(await c.chat.completions.create(req)))
    expect(r.wrapped).toEqual(r.plain)
    expect(r.record.output).toEqual([{ role: 'assistant', content: FAKE_REPLY }])
    expect(r.record.status).toBe('ok')
    expect(r.record.finishReasons).toEqual(['stop'])
    expect(r.record.usage?.inputTokens).toBeGreaterThan(0)
    expect(r.record.ttftMs).toBeGreaterThanOrEqual(0)
    expect(r.record.ttftMs).toBeLessThanOrEqual(r.record.latencyMs!)
  })

  it('assembles streamed tool-call deltas into the same tool call as the non-streamed response', async () => {
    const streamed = await both(async (c) =>
      collect(await c.chat.completions.create({ model: 'gpt-4o-mini', messages, tools, stream: true })),
    )
    expect(streamed.wrapped).toEqual(streamed.plain)
    const whole = await both((c) => c.chat.completions.create({ model: 'gpt-4o-mini', messages, tools }))
    expect(whole.wrapped).toEqual(whole.plain)
    for (const rec of [streamed.record, whole.record]) {
      expect(rec.toolCalls).toEqual([
        { id: expect.stringMatching(/^call_/), type: 'function', name: 'get_weather', arguments: TOOL_ARGS },
      ])
      expect(rec.finishReasons).toEqual(['tool_calls'])
      expect(rec.tools).toEqual(tools)
    }
  })

  it.each([
    [400, 'invalid_request_error'],
    [401, 'invalid_request_error'],
    [429, 'requests'],
    [500, 'server_error'],
  ])('records HTTP %i with its status and type, and the caller gets the same error', async (status, type) => {
    records = []
    const req = { model: `fake-error-${status}`, messages }
    const e1 = await plain.chat.completions.create(req).catch((e: unknown) => e)
    const e2 = await wrapped.chat.completions.create(req).catch((e: unknown) => e)
    expect(e2).toBeInstanceOf(OpenAI.APIError)
    expect((e2 as InstanceType<typeof OpenAI.APIError>).status).toBe(status)
    expect((e2 as Error).constructor).toBe((e1 as Error).constructor)
    expect((e2 as Error).message).toBe((e1 as Error).message)
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ status: 'error', error: { httpStatus: status, type }, model: req.model })
  })

  it('records a stream cut midway as aborted with what was received', async () => {
    records = []
    const req = { model: 'fake-cut', messages, stream: true as const }
    const seen = { plain: [] as unknown[], wrapped: [] as unknown[] }
    const run = async (c: OpenAI, into: unknown[]) => {
      try {
        for await (const chunk of await c.chat.completions.create(req)) into.push(chunk)
        return 'ended'
      } catch (e) {
        return (e as Error).constructor.name
      }
    }
    const outcome = [await run(plain, seen.plain), await run(wrapped, seen.wrapped)]
    expect(outcome[1]).toBe(outcome[0])
    expect(seen.wrapped).toEqual(seen.plain)
    expect(records[0]).toMatchObject({ status: 'error', error: { type: 'aborted' } })
  })

  it('records a consumer that breaks off, and a caller abort, as aborted', async () => {
    records = []
    const stream = await wrapped.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
    for await (const _ of stream) break
    expect(records[0]).toMatchObject({ status: 'error', error: { type: 'aborted' } })
    const stream2 = await wrapped.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
    let n = 0
    for await (const _ of stream2) if (++n === 2) stream2.controller.abort()
    expect(records[1]).toMatchObject({
      status: 'error',
      error: { type: 'aborted', message: 'stream aborted by the caller' },
    })
    expect(records[1]?.ttftMs).toBeGreaterThanOrEqual(0)
  })

  it('keeps tee(), toReadableStream() and withResponse() working', async () => {
    records = []
    const req = { model: 'gpt-4o-mini', messages, stream: true as const }
    const [left, right] = (await wrapped.chat.completions.create(req)).tee()
    const [l, r] = await Promise.all([collect(left), collect(right)])
    expect(l).toEqual(r)
    const rs = (await wrapped.chat.completions.create(req)).toReadableStream()
    const text = await new Response(rs).text()
    expect(text.trim().split('\n').length).toBe(l.length)
    const { data, response } = await wrapped.chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse()
    expect(response.status).toBe(200)
    expect(data.choices[0]?.message.content).toBe(FAKE_REPLY)
    expect(records.map((x) => x.status)).toEqual(['ok', 'ok', 'ok'])
  })
})

describe('observeOpenAI responses and embeddings', () => {
  it('records the Responses API, streamed and not', async () => {
    const whole = await both((c) => c.responses.create({ model: 'gpt-4.1', input: 'Hi', instructions: 'Be brief.' }))
    expect(whole.wrapped).toEqual(whole.plain)
    expect(whole.record).toMatchObject({
      operation: 'responses',
      model: 'gpt-4.1',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      output: [{ role: 'assistant', content: FAKE_REPLY }],
      finishReasons: ['completed'],
      status: 'ok',
    })
    const streamed = await both(async (c) =>
      collect(await c.responses.create({ model: 'gpt-4.1', input: 'Hi', stream: true })),
    )
    expect(streamed.wrapped).toEqual(streamed.plain)
    expect(streamed.record.output).toEqual([{ role: 'assistant', content: FAKE_REPLY }])
    expect(streamed.record.usage).toEqual(whole.record.usage)
    expect(streamed.record.ttftMs).toBeGreaterThanOrEqual(0)
    const tool = await both(async (c) =>
      collect(
        await c.responses.create({
          model: 'gpt-4.1',
          input: 'Hi',
          stream: true,
          tools: [{ type: 'function', name: 'get_weather', parameters: {}, strict: false }],
        }),
      ),
    )
    expect(tool.record.toolCalls).toEqual([
      { id: expect.stringMatching(/^call_/), type: 'function', name: 'get_weather', arguments: TOOL_ARGS },
    ])
  })

  it('records embeddings without the vectors', async () => {
    const r = await both((c) => c.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'bb'] }))
    expect(r.wrapped).toEqual(r.plain)
    expect(r.record).toMatchObject({
      operation: 'embeddings',
      input: ['a', 'bb'],
      output: { embeddings: 2, dimensions: 4 },
      usage: { inputTokens: r.plain.usage.prompt_tokens },
    })
  })
})

describe('observeOpenAI identity and safety', () => {
  it('takes userId from options and withContext, and never throws when the ledger does', async () => {
    records = []
    let user = 'u-opt'
    const client = observeOpenAI(
      new OpenAI({ apiKey: 'sk-test', baseURL: `${fake.url}/v1`, maxRetries: 0 }),
      { log: (i) => records.push(i) },
      { userId: () => user },
    )
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages })
    user = 'u-2'
    await withContext({ userId: 'u-ctx', sessionId: 's1', tags: ['x'] }, () =>
      client.chat.completions.create({ model: 'gpt-4o-mini', messages }),
    )
    expect(records.map((r) => [r.userId, r.sessionId, r.tags])).toEqual([
      ['u-opt', null, undefined],
      ['u-ctx', 's1', ['x']],
    ])
    const before = captureErrorCount()
    const broken = observeOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: `${fake.url}/v1`, maxRetries: 0 }), {
      log: () => {
        throw new Error('disk full')
      },
    })
    const res = await broken.chat.completions.create({ model: 'gpt-4o-mini', messages })
    expect(res.choices[0]?.message.content).toBe(FAKE_REPLY)
    expect(captureErrorCount()).toBe(before + 1)
  })

  it('records the messages as they were at call time, not after the app appends the reply', async () => {
    records = []
    const convo: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi' }]
    const res = await wrapped.chat.completions.create({ model: 'gpt-4o-mini', messages: convo })
    convo.push(res.choices[0]!.message)
    expect(records[0]?.messages).toEqual([{ role: 'user', content: 'Hi' }])
  })

  it('leaves the rest of the client untouched', () => {
    expect(wrapped.baseURL).toBe(plain.baseURL)
    expect(typeof wrapped.models.list).toBe('function')
    expect(wrapped.chat.completions).toBe(wrapped.chat.completions)
  })
})
