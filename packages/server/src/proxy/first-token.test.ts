import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newExchange, noteFirstToken } from './exchange.js'
import { PROXY_PATHS, type ProxyHarness, startProxyHarness } from './test-support/proxy-harness.js'

const tags = { userId: null, sessionId: null, app: null, tags: [], skip: false }

function sse(encoding = '') {
  const ex = newExchange('openai', 'POST', '/v1/chat/completions', tags, 0)
  ex.contentType = 'text/event-stream; charset=utf-8'
  ex.encoding = encoding
  return ex
}

const frame = (event: object) => Buffer.from(`data: ${JSON.stringify(event)}\n\n`)

describe('first token of a stream', () => {
  it('passes over the events that carry no output and takes the first that does', () => {
    const ex = sse()
    noteFirstToken(ex, frame({ choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] }), 1)
    expect(ex.firstTokenAt).toBeNull()
    noteFirstToken(ex, frame({ choices: [{ index: 0, delta: { content: 'Hel' } }] }), 2)
    noteFirstToken(ex, frame({ choices: [{ index: 0, delta: { content: 'lo' } }] }), 3)
    expect(ex.firstTokenAt).toBe(2)

    const anthropic = sse()
    const events = [
      { type: 'message_start', message: { content: [], usage: { input_tokens: 3 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } },
    ]
    for (const [i, e] of events.entries()) {
      noteFirstToken(anthropic, Buffer.from(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`), i)
    }
    expect(anthropic.firstTokenAt).toBe(2)

    const tools = sse()
    noteFirstToken(tools, frame({ choices: [{ delta: { tool_calls: [{ index: 0, function: { name: 'f' } }] } }] }), 7)
    expect(tools.firstTokenAt).toBe(7)
  })

  it('leaves compressed streams and other responses to the first byte', () => {
    const gz = sse('gzip')
    noteFirstToken(gz, frame({ choices: [{ delta: { content: 'x' } }] }), 1)
    expect(gz.firstTokenAt).toBeNull()
    const json = newExchange('openai', 'POST', '/v1/chat/completions', tags, 0)
    json.contentType = 'application/json'
    noteFirstToken(json, Buffer.from('{"content":"x"}'), 1)
    expect(json.firstTokenAt).toBeNull()
  })
})

// An upstream that opens the stream at once and sends its first token after a pause, as models do.
const PAUSE_MS = 120
let upstream: Server
let upstreamUrl: string

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8')
    })
    req.on('end', () => {
      if (body.includes('"broken-json"')) {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end('{"id":"c2","choices":[{"message":')
        return
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write(frame({ id: 'c1', choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] }))
      setTimeout(() => {
        res.write(frame({ id: 'c1', choices: [{ index: 0, delta: { content: 'Hello' } }] }))
        res.write(frame({ id: 'c1', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }))
        res.end('data: [DONE]\n\n')
      }, PAUSE_MS)
    })
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => upstream.close(() => resolve())))

describe.each(PROXY_PATHS)('%s path', (via) => {
  let h: ProxyHarness
  beforeAll(async () => {
    h = await startProxyHarness({ upstreams: { openai: upstreamUrl, anthropic: upstreamUrl } }, via)
  })
  afterAll(() => h.close())

  it('records ttft at the first token, not at the role-only chunk that opens the stream', async () => {
    const res = await fetch(`${h.url}/proxy/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    })
    await res.text()
    const r = await h.record(0)
    // The token left the upstream PAUSE_MS after the stream opened: no clock runs that fast.
    expect(r.ttftMs).toBeGreaterThanOrEqual(PAUSE_MS - 5)
    expect(r.ttftMs!).toBeLessThanOrEqual(r.latencyMs!)
  })

  it('records a 200 whose JSON body does not parse as a failed call', async () => {
    const res = await fetch(`${h.url}/proxy/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'broken-json', messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(res.status).toBe(200)
    await res.text()
    const r = await h.record(1)
    expect(r.status).toBe('error')
    expect(r.error).toMatchObject({ type: 'invalid_response', httpStatus: 200 })
  })
})
