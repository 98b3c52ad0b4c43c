import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAKE_REPLY, type FakeUpstream, startFakeAnthropic, startFakeOpenAI } from './index.js'

let oa: FakeUpstream
let an: FakeUpstream
let openai: OpenAI
let anthropic: Anthropic
const user = [{ role: 'user' as const, content: 'hi' }]
const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
}

beforeAll(async () => {
  oa = await startFakeOpenAI()
  an = await startFakeAnthropic()
  openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${oa.url}/v1`, maxRetries: 0 })
  anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: an.url, maxRetries: 0 })
})
afterAll(async () => {
  await oa.close()
  await an.close()
})

describe('fake OpenAI', () => {
  it('answers chat completions as JSON and as a stream with a usage chunk', async () => {
    const r = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: user })
    expect(r.choices[0]?.message.content).toBe(FAKE_REPLY)
    expect(r.usage?.total_tokens).toBeGreaterThan(0)
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: user,
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let usage: unknown
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? ''
      if (c.usage) usage = c.usage
    }
    expect(text).toBe(FAKE_REPLY)
    expect(usage).toMatchObject({ completion_tokens: expect.any(Number) })
  })

  it('streams tool calls as deltas', async () => {
    const runner = openai.chat.completions.stream({ model: 'gpt-4o', messages: user, tools: [weatherTool] })
    const final = await runner.finalChatCompletion()
    const call = final.choices[0]?.message.tool_calls?.[0]
    expect(call?.type === 'function' && call.function.name).toBe('get_weather')
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'Paris', unit: 'celsius' })
  })

  it('speaks the Responses API and embeddings', async () => {
    const r = await openai.responses.create({ model: 'gpt-4o', input: 'hi' })
    expect(r.output_text).toBe(FAKE_REPLY)
    const s = await openai.responses.create({ model: 'gpt-4o', input: 'hi', stream: true })
    const types: string[] = []
    for await (const e of s) types.push(e.type)
    expect(types.at(0)).toBe('response.created')
    expect(types.at(-1)).toBe('response.completed')
    const e = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] })
    expect(e.data).toHaveLength(2)
    expect(e.data[0]?.embedding).toHaveLength(4)
  })

  it('returns errors in OpenAI shape, 429 with retry-after', async () => {
    const err = await openai.chat.completions.create({ model: 'fake-error-429', messages: user }).catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.RateLimitError)
    expect(err.headers.get('retry-after')).toBe('1')
    expect(err.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' })
    const e401 = await openai.chat.completions.create({ model: 'fake-error-401', messages: user }).catch((e) => e)
    expect(e401).toBeInstanceOf(OpenAI.AuthenticationError)
  })

  it('cuts a stream midway', async () => {
    const stream = await openai.chat.completions.create({ model: 'fake-cut', messages: user, stream: true })
    const got = (async () => {
      for await (const _ of stream) {
      }
    })()
    await expect(got).rejects.toThrow()
  })
})

describe('fake Anthropic', () => {
  it('answers messages as JSON and as named SSE events with tool_use', async () => {
    const m = await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 64, messages: user })
    expect(m.content[0]).toEqual({ type: 'text', text: FAKE_REPLY })
    const stream = anthropic.messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      messages: user,
      tools: [{ name: 'get_weather', input_schema: { type: 'object' } }],
    })
    const final = await stream.finalMessage()
    expect(final.stop_reason).toBe('tool_use')
    expect(final.content[1]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } })
    expect(final.usage.output_tokens).toBeGreaterThan(0)
  })

  it('returns errors in Anthropic shape', async () => {
    const err = await anthropic.messages
      .create({ model: 'fake-error-429', max_tokens: 8, messages: user })
      .catch((e) => e)
    expect(err).toBeInstanceOf(Anthropic.RateLimitError)
    expect(err.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } })
  })
})
