import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type FakeUpstream,
  startFakeAnthropic,
  startFakeOpenAI,
} from '../../../../test-support/fake-upstreams/index.js'
import { MemoryExporter } from '../exporters/memory-exporter.js'
import { createLedger, type Ledger } from '../ledger.js'
import { observeAnthropic } from './anthropic/observe-anthropic.js'
import { withContext } from './capture-context.js'
import { observeOpenAI } from './openai/observe-openai.js'

// End to end with the real ledger: wrapper → pipeline → redaction → seal → exporter.
let oa: FakeUpstream
let an: FakeUpstream
let dir: string
let ledger: Ledger
let memory: MemoryExporter

beforeAll(async () => {
  oa = await startFakeOpenAI()
  an = await startFakeAnthropic()
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-'))
  memory = new MemoryExporter()
  ledger = createLedger({ dir, stream: 'wrappers', handleExit: false, encrypt: false, exporters: [memory] })
})
afterAll(async () => {
  await ledger.close()
  await oa.close()
  await an.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('wrappers with the real ledger', () => {
  it('stores a streamed OpenAI tool call with usage, ttft and redacted content', async () => {
    const openai = observeOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: `${oa.url}/v1`, maxRetries: 0 }), ledger)
    const stream = await withContext({ userId: 'user_1' }, () =>
      openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Weather for jane.doe@example.com in Paris?' }],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    )
    for await (const _ of stream) {
      // drain
    }
    await ledger.flush()
    const r = memory.records.at(-1)!
    expect(r).toMatchObject({
      provider: 'openai',
      operation: 'chat',
      status: 'ok',
      user_id: 'user_1',
      request: { model: 'gpt-4o-mini' },
      response: { finish_reasons: ['tool_calls'], tool_calls: [{ name: 'get_weather' }] },
    })
    expect(r.usage?.input_tokens).toBeGreaterThan(0)
    expect(r.ttft_ms).toBeGreaterThanOrEqual(0)
    // Redaction runs over tool arguments too, so only the non-personal part is asserted verbatim.
    expect(r.response?.tool_calls?.[0]?.arguments).toContain('"unit":"celsius"')
    expect(JSON.stringify(r.request.messages)).not.toContain('jane.doe@example.com')
  })

  it('stores an Anthropic error with its HTTP status and type', async () => {
    const anthropic = observeAnthropic(new Anthropic({ apiKey: 'sk-ant-test', baseURL: an.url, maxRetries: 0 }), ledger)
    await expect(
      anthropic.messages.create({
        model: 'fake-error-429',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    ).rejects.toThrow()
    await ledger.flush()
    expect(memory.records.at(-1)).toMatchObject({
      provider: 'anthropic',
      status: 'error',
      error: { type: 'rate_limit_error', http_status: 429 },
    })
  })
})
