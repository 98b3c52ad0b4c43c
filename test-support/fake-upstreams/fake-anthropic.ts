import type { ServerResponse } from 'node:http'
import {
  type Body,
  FAKE_REPLY,
  type FakeRequest,
  type FakeScenario,
  type FakeServerOptions,
  type FakeUpstream,
  fakeTokens,
  idOf,
  pieces,
  scenarioOf,
  sendJson,
  sendSse,
  startFakeServer,
} from './fake-server.js'

const TOOL_INPUT = '{"city":"Paris","unit":"celsius"}'

const ERRORS: Record<string, { status: number; type: string; message: string }> = {
  'error-400': { status: 400, type: 'invalid_request_error', message: 'messages: field required' },
  'error-401': { status: 401, type: 'authentication_error', message: 'invalid x-api-key' },
  'error-429': { status: 429, type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit.' },
  'error-500': { status: 500, type: 'api_error', message: 'Internal server error' },
}

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
}

function promptText(body: Body): string {
  const parts: string[] = []
  if (body?.system) parts.push(typeof body.system === 'string' ? body.system : JSON.stringify(body.system))
  for (const m of body?.messages ?? [])
    parts.push(typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? ''))
  return parts.join('\n')
}

function wantsTool(body: Body, scenario: FakeScenario): boolean {
  if (scenario === 'tools') return true
  if (!Array.isArray(body?.tools) || body.tools.length === 0 || body.tool_choice?.type === 'none') return false
  const last = body.messages?.at?.(-1)
  return !(Array.isArray(last?.content) && last.content.some((b: Body) => b?.type === 'tool_result'))
}

function messages(req: FakeRequest, res: ServerResponse, n: string, scenario: FakeScenario): void {
  const body = req.json ?? {}
  const model = body.model ?? 'claude-haiku-4-5'
  const id = `msg_fake${n}`
  const last = body.messages?.at?.(-1)?.content
  const text = scenario === 'echo' ? (typeof last === 'string' ? last : JSON.stringify(last ?? '')) : FAKE_REPLY
  const tool = wantsTool(body, scenario)
  const toolName = body.tools?.[0]?.name ?? 'get_weather'
  const toolId = `toolu_fake${n}`
  const inputTokens = fakeTokens(promptText(body))
  const outputTokens = tool ? fakeTokens(TOOL_INPUT) : fakeTokens(text)
  const stop = tool ? 'tool_use' : 'end_turn'
  const usage = {
    input_tokens: inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: outputTokens,
    service_tier: 'standard',
  }
  const headers = { 'request-id': `req_fake${n}` }
  if (!body.stream) {
    if (scenario === 'hang') return
    if (scenario === 'cut') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' })
      res.write('{"id":"msg_cut","type":"mess', () => res.socket?.destroy())
      return
    }
    const content = tool
      ? [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', id: toolId, name: toolName, input: JSON.parse(TOOL_INPUT) },
        ]
      : [{ type: 'text', text }]
    sendJson(
      res,
      200,
      { id, type: 'message', role: 'assistant', model, content, stop_reason: stop, stop_sequence: null, usage },
      headers,
    )
    return
  }
  const frames = [
    sse('message_start', {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    }),
  ]
  if (tool) {
    frames.push(
      sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    )
    frames.push(
      sse('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: 'Let me check.' },
      }),
    )
    frames.push(sse('content_block_stop', { type: 'content_block_stop', index: 0 }))
    frames.push(
      sse('content_block_start', {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: toolId, name: toolName, input: {} },
      }),
    )
    frames.push(sse('ping', { type: 'ping' }))
    for (const part of TOOL_INPUT.match(/.{1,8}/g) ?? []) {
      frames.push(
        sse('content_block_delta', {
          type: 'content_block_delta',
          index: 1,
          delta: { type: 'input_json_delta', partial_json: part },
        }),
      )
    }
    frames.push(sse('content_block_stop', { type: 'content_block_stop', index: 1 }))
  } else {
    frames.push(
      sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    )
    frames.push(sse('ping', { type: 'ping' }))
    for (const p of pieces(text))
      frames.push(
        sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: p } }),
      )
    frames.push(sse('content_block_stop', { type: 'content_block_stop', index: 0 }))
  }
  frames.push(
    sse('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stop, stop_sequence: null },
      usage: { output_tokens: outputTokens },
    }),
  )
  frames.push(sse('message_stop', { type: 'message_stop' }))
  sendSse(res, frames, { headers, cutAfter: scenario === 'cut' ? 4 : undefined, hang: scenario === 'hang' })
}

/**
 * A local stand-in for the Anthropic API, speaking its wire format: `POST /v1/messages` as JSON or as SSE with named
 * events (`message_start`, `content_block_start`, `ping`, `content_block_delta` with `text_delta` or `input_json_delta`
 * for tool_use, `content_block_stop`, `message_delta` carrying usage, `message_stop`); anything else is a 404 in
 * Anthropic's error shape `{ type: 'error', error: { type, message }, request_id }`.
 *
 * The scenario comes from the `x-fake-scenario` header or a model named `fake-<scenario>`: `tools` (a text block then
 * a tool_use block for the first tool; offering `tools` also triggers it), `echo`, `error-400`, `error-401`,
 * `error-429` (with `retry-after: 1`), `error-500`, `cut` (socket destroyed midway), `hang` (first event, then nothing
 * until the client leaves; `requests[i].closed` reports it). Deterministic ids, texts and usage.
 *
 * @example
 * const fake = await startFakeAnthropic()
 * const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: fake.url, maxRetries: 0 })
 * const msg = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] })
 * await fake.close()
 */
export function startFakeAnthropic(options: FakeServerOptions = {}): Promise<FakeUpstream> {
  return startFakeServer((req, res) => {
    const n = idOf(req)
    const path = req.url.split('?')[0]
    const scenario = scenarioOf(req)
    const err = ERRORS[scenario]
    if (err) {
      const headers: Record<string, string> = { 'request-id': `req_fake${n}` }
      if (err.status === 429) headers['retry-after'] = '1'
      sendJson(
        res,
        err.status,
        { type: 'error', error: { type: err.type, message: err.message }, request_id: `req_fake${n}` },
        headers,
      )
      return
    }
    if (req.method === 'POST' && path === '/v1/messages') return messages(req, res, n, scenario)
    sendJson(res, 404, {
      type: 'error',
      error: { type: 'not_found_error', message: `Not found: ${path}` },
      request_id: `req_fake${n}`,
    })
  }, options)
}
