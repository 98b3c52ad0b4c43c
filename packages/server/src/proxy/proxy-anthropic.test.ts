import Anthropic from '@anthropic-ai/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAKE_REPLY } from '../../../../test-support/fake-upstreams/index.js'
import { PROXY_PATHS, type ProxyHarness, startProxyHarness } from './test-support/proxy-harness.js'

const SECRET = 'sk-ant-test-secret-0123456789'
const user = [{ role: 'user' as const, content: 'What is the weather in Paris?' }]
const tools = [
  { name: 'get_weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } },
]
const model = 'claude-haiku-4-5'

describe.each(PROXY_PATHS)('%s path', (via) => {
  let h: ProxyHarness
  let direct: Anthropic
  let proxied: Anthropic
  let n = 0

  beforeAll(async () => {
    h = await startProxyHarness({}, via)
    direct = new Anthropic({ apiKey: SECRET, baseURL: h.anthropic.url, maxRetries: 0 })
    proxied = new Anthropic({ apiKey: SECRET, baseURL: `${h.url}/proxy/anthropic`, maxRetries: 0 })
  })
  afterAll(() => h.close())

  async function collect<T>(s: AsyncIterable<T>): Promise<T[]> {
    const out: T[] = []
    for await (const x of s) out.push(x)
    return out
  }

  describe('proxy · Anthropic', () => {
    it('returns the same message and records it with the system prompt among the messages', async () => {
      const req = { model, max_tokens: 64, system: 'Be brief.', messages: user }
      const a = await direct.messages.create(req)
      const b = await proxied.messages.create(req)
      expect(b).toEqual(a)
      const r = await h.record(n++)
      expect(r).toMatchObject({
        provider: 'anthropic',
        operation: 'chat',
        model,
        status: 'ok',
        finishReasons: ['end_turn'],
      })
      expect(r.messages).toEqual([{ role: 'system', content: 'Be brief.' }, ...user])
      expect(r.output).toEqual([{ role: 'assistant', content: [{ type: 'text', text: FAKE_REPLY }] }])
      expect(r.usage).toEqual({
        inputTokens: a.usage.input_tokens,
        outputTokens: a.usage.output_tokens,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
      })
      expect(r.params).toMatchObject({ max_tokens: 64 })
      expect(JSON.stringify(r)).not.toContain(SECRET)
    })

    it('streams the same named events and records tool_use, usage and ttft', async () => {
      const req = { model, max_tokens: 64, messages: user, tools, stream: true as const }
      const a = await collect(await direct.messages.create(req))
      const b = await collect(await proxied.messages.create(req))
      expect(b).toEqual(a)
      expect(a.map((e) => e.type)).toContain('message_delta')
      const r = await h.record(n++)
      expect(r.toolCalls).toEqual([
        {
          id: expect.stringMatching(/^toolu_/),
          type: 'tool_use',
          name: 'get_weather',
          arguments: '{"city":"Paris","unit":"celsius"}',
        },
      ])
      expect(r.finishReasons).toEqual(['tool_use'])
      const delta = a.find((e) => e.type === 'message_delta')
      expect(r.usage).toMatchObject({ inputTokens: expect.any(Number), outputTokens: delta?.usage.output_tokens })
      expect(r.usage?.estimated).toBeUndefined()
      expect(r.ttftMs).toBeGreaterThan(0)
      expect(r.output).toEqual([
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Let me check.' },
            {
              type: 'tool_use',
              id: expect.any(String),
              name: 'get_weather',
              input: { city: 'Paris', unit: 'celsius' },
            },
          ],
        },
      ])
    })

    it.each([
      ['fake-error-400', Anthropic.BadRequestError, 400],
      ['fake-error-401', Anthropic.AuthenticationError, 401],
      ['fake-error-429', Anthropic.RateLimitError, 429],
      ['fake-error-500', Anthropic.InternalServerError, 500],
    ])('passes %s through in Anthropic error shape', async (m, cls, status) => {
      const req = { model: m, max_tokens: 8, messages: user }
      const a = await direct.messages.create(req).catch((e: unknown) => e)
      const b = await proxied.messages.create(req).catch((e: unknown) => e)
      expect(b).toBeInstanceOf(cls)
      const ea = a as InstanceType<typeof Anthropic.APIError>
      const eb = b as InstanceType<typeof Anthropic.APIError>
      expect([eb.status, eb.error, eb.message]).toEqual([ea.status, ea.error, ea.message])
      expect(eb.headers?.get('retry-after')).toBe(ea.headers?.get('retry-after') ?? null)
      const r = await h.record(n++)
      expect(r.error).toMatchObject({ httpStatus: status, type: (ea.error as { error: { type: string } }).error.type })
    })

    it('records a stream cut midway as an error, and the client sees the cut', async () => {
      const stream = await proxied.messages.create({ model: 'fake-cut', max_tokens: 8, messages: user, stream: true })
      await expect(collect(stream)).rejects.toThrow()
      const r = await h.record(n++)
      expect(r.status).toBe('error')
      expect(r.error).toMatchObject({ type: 'stream_cut' })
      // Input tokens came with message_start; the output count never arrived and is estimated.
      expect(r.usage).toMatchObject({
        inputTokens: expect.any(Number),
        outputTokens: expect.any(Number),
        estimated: true,
      })
    })
  })
})
