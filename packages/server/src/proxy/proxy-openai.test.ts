import { Tiktoken } from 'js-tiktoken/lite'
import o200k from 'js-tiktoken/ranks/o200k_base'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAKE_REPLY } from '../../../../test-support/fake-upstreams/index.js'
import { PROXY_PATHS, type ProxyHarness, startProxyHarness } from './test-support/proxy-harness.js'

const SECRET = 'sk-test-secret-key-0123456789'
const user = [{ role: 'user' as const, content: 'What is the weather in Paris?' }]
const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
}

describe.each(PROXY_PATHS)('%s path', (via) => {
  let h: ProxyHarness
  let direct: OpenAI
  let proxied: OpenAI
  let n = 0

  beforeAll(async () => {
    h = await startProxyHarness({}, via)
    direct = new OpenAI({ apiKey: SECRET, baseURL: `${h.openai.url}/v1`, maxRetries: 0 })
    proxied = new OpenAI({ apiKey: SECRET, baseURL: `${h.url}/proxy/openai/v1`, maxRetries: 0 })
  })
  afterAll(() => h.close())

  async function collect<T>(s: AsyncIterable<T>): Promise<T[]> {
    const out: T[] = []
    for await (const x of s) out.push(x)
    return out
  }

  describe('proxy · OpenAI', () => {
    it('returns the same chat completion and records model, usage, status and latency', async () => {
      const a = await direct.chat.completions.create({ model: 'gpt-4o-mini', messages: user })
      const b = await proxied.chat.completions.create({ model: 'gpt-4o-mini', messages: user })
      expect(b).toEqual(a)
      const r = await h.record(n++)
      expect(r).toMatchObject({
        provider: 'openai',
        operation: 'chat',
        model: 'gpt-4o-mini',
        status: 'ok',
        error: null,
      })
      expect(r.usage).toEqual({
        inputTokens: a.usage?.prompt_tokens,
        outputTokens: a.usage?.completion_tokens,
        cacheReadTokens: 0,
        reasoningTokens: 0,
      })
      expect(r.messages).toEqual(user)
      expect(r.output).toEqual([a.choices[0]?.message])
      expect(r.finishReasons).toEqual(['stop'])
      expect(r.latencyMs).toBeGreaterThan(0)
      expect(r.ttftMs).toBeNull()
      expect(JSON.stringify(r)).not.toContain(SECRET)
    })

    it('streams the same chunks and records ttft and the stream usage', async () => {
      const req = { model: 'gpt-4o', messages: user, stream: true as const, stream_options: { include_usage: true } }
      const a = await collect(await direct.chat.completions.create(req))
      const b = await collect(await proxied.chat.completions.create(req))
      expect(b).toEqual(a)
      const r = await h.record(n++)
      const usage = a.at(-1)?.usage
      expect(r.usage).toMatchObject({ inputTokens: usage?.prompt_tokens, outputTokens: usage?.completion_tokens })
      expect(r.usage?.estimated).toBeUndefined()
      expect(r.output).toEqual([
        { role: 'assistant', content: a.map((c) => c.choices[0]?.delta.content ?? '').join('') },
      ])
      expect(r.ttftMs).toBeGreaterThan(0)
      expect(r.ttftMs!).toBeLessThanOrEqual(r.latencyMs!)
    })

    it('estimates usage with the tokenizer when the stream carries none', async () => {
      await collect(await proxied.chat.completions.create({ model: 'gpt-4o', messages: user, stream: true }))
      const r = await h.record(n++)
      const exact = new Tiktoken(o200k).encode(FAKE_REPLY).length
      expect(r.usage).toMatchObject({ estimated: true, outputTokens: exact })
      expect(r.usage?.inputTokens).toBeGreaterThan(6)
    })

    it('records streamed tool calls', async () => {
      const req = { model: 'gpt-4o', messages: user, tools: [weatherTool], stream: true as const }
      const a = await collect(await direct.chat.completions.create(req))
      const b = await collect(await proxied.chat.completions.create(req))
      expect(b).toEqual(a)
      const r = await h.record(n++)
      expect(r.toolCalls).toEqual([
        {
          id: expect.stringMatching(/^call_/),
          type: 'function',
          name: 'get_weather',
          arguments: '{"city":"Paris","unit":"celsius"}',
        },
      ])
      expect(r.finishReasons).toEqual(['tool_calls'])
      expect(r.tools).toEqual([weatherTool])
      // The output message holds them too, as the non-streamed response's message does.
      expect((r.output as Array<{ tool_calls?: unknown }>)[0]?.tool_calls).toEqual([
        {
          id: r.toolCalls![0]!.id,
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
        },
      ])
    })

    it('passes the Responses API through, streamed and not', async () => {
      const a = await direct.responses.create({ model: 'gpt-4o', input: 'hi', instructions: 'Be brief.' })
      const b = await proxied.responses.create({ model: 'gpt-4o', input: 'hi', instructions: 'Be brief.' })
      expect(b).toEqual(a)
      let r = await h.record(n++)
      expect(r).toMatchObject({
        operation: 'responses',
        input: 'hi',
        messages: [{ role: 'system', content: 'Be brief.' }],
      })
      expect(r.usage?.outputTokens).toBe(a.usage?.output_tokens)
      const sa = await collect(await direct.responses.create({ model: 'gpt-4o', input: 'hi', stream: true }))
      const sb = await collect(await proxied.responses.create({ model: 'gpt-4o', input: 'hi', stream: true }))
      expect(sb).toEqual(sa)
      r = await h.record(n++)
      const completed = sa.at(-1)
      expect(completed?.type === 'response.completed' && r.responseId).toBe(
        completed?.type === 'response.completed' && completed.response.id,
      )
      expect(r.usage?.inputTokens).toBeGreaterThan(0)
      expect(r.ttftMs).toBeGreaterThan(0)
    })

    it('passes embeddings through without storing the vectors', async () => {
      const a = await direct.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] })
      const b = await proxied.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] })
      expect(b).toEqual(a)
      const r = await h.record(n++)
      expect(r).toMatchObject({ operation: 'embeddings', output: { embeddings: 2, dimensions: 4 } })
      expect(r.usage?.inputTokens).toBe(a.usage.prompt_tokens)
    })

    it.each([
      ['fake-error-400', OpenAI.BadRequestError, 400],
      ['fake-error-401', OpenAI.AuthenticationError, 401],
      ['fake-error-429', OpenAI.RateLimitError, 429],
      ['fake-error-500', OpenAI.InternalServerError, 500],
    ])('passes %s through with the same class, status, body and headers', async (model, cls, status) => {
      const a = await direct.chat.completions.create({ model, messages: user }).catch((e: unknown) => e)
      const b = await proxied.chat.completions.create({ model, messages: user }).catch((e: unknown) => e)
      expect(b).toBeInstanceOf(cls)
      const ea = a as InstanceType<typeof OpenAI.APIError>
      const eb = b as InstanceType<typeof OpenAI.APIError>
      expect([eb.status, eb.error, eb.message]).toEqual([ea.status, ea.error, ea.message])
      expect(eb.headers?.get('retry-after')).toBe(ea.headers?.get('retry-after') ?? null)
      if (status === 429) expect(eb.headers?.get('retry-after')).toBe('1')
      const r = await h.record(n++)
      expect(r.status).toBe('error')
      expect(r.error).toMatchObject({ httpStatus: status, type: (ea.error as { type: string }).type })
    })

    it('passes GET with a query through', async () => {
      const res = await fetch(`${h.url}/proxy/openai/v1/models?limit=2`, {
        headers: { authorization: `Bearer ${SECRET}` },
      })
      expect(res.status).toBe(200)
      expect(h.openai.requests.at(-1)?.url).toBe('/v1/models?limit=2')
      await res.arrayBuffer()
      const r = await h.record(n++)
      expect(r).toMatchObject({ operation: 'custom', metadata: { method: 'GET', path: '/v1/models' } })
    })
  })
})
