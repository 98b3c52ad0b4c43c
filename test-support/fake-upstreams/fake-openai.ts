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

const CREATED = 1_700_000_000
const TOOL_ARGS = '{"city":"Paris","unit":"celsius"}'

const ERRORS: Record<string, { status: number; type: string; code: string | null; message: string }> = {
  'error-400': { status: 400, type: 'invalid_request_error', code: null, message: "Invalid value for 'messages'." },
  'error-401': {
    status: 401,
    type: 'invalid_request_error',
    code: 'invalid_api_key',
    message: 'Incorrect API key provided.',
  },
  'error-429': {
    status: 429,
    type: 'requests',
    code: 'rate_limit_exceeded',
    message: 'Rate limit reached for requests.',
  },
  'error-500': {
    status: 500,
    type: 'server_error',
    code: null,
    message: 'The server had an error while processing your request.',
  },
}

function sse(data: unknown, event?: string): string {
  return (event ? `event: ${event}\n` : '') + `data: ${JSON.stringify(data)}\n\n`
}

function promptText(body: Body): string {
  const parts: string[] = []
  for (const m of body?.messages ?? [])
    parts.push(typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? ''))
  if (typeof body?.input === 'string') parts.push(body.input)
  else if (Array.isArray(body?.input)) parts.push(JSON.stringify(body.input))
  return parts.join('\n')
}

function replyText(body: Body, scenario: FakeScenario): string {
  if (scenario !== 'echo') return FAKE_REPLY
  const last = body?.messages?.at?.(-1)?.content ?? body?.input
  return typeof last === 'string' ? last : JSON.stringify(last ?? '')
}

/** True when the request offers tools and the conversation is not already answering a tool call. */
function wantsTool(body: Body, scenario: FakeScenario): boolean {
  if (scenario === 'tools') return true
  if (!Array.isArray(body?.tools) || body.tools.length === 0 || body.tool_choice === 'none') return false
  const last = body.messages?.at?.(-1)
  return (
    last?.role !== 'tool' &&
    !(Array.isArray(body.input) && body.input.some((i: Body) => i?.type === 'function_call_output'))
  )
}

function toolName(body: Body): string {
  const t = body?.tools?.[0]
  return t?.function?.name ?? t?.name ?? 'get_weather'
}

function chat(req: FakeRequest, res: ServerResponse, n: string, scenario: FakeScenario): void {
  const body = req.json ?? {}
  const model = body.model ?? 'gpt-4o-mini'
  const id = `chatcmpl-fake${n}`
  const text = replyText(body, scenario)
  const tool = wantsTool(body, scenario)
  const promptTokens = fakeTokens(promptText(body))
  const completionTokens = tool ? fakeTokens(TOOL_ARGS) : fakeTokens(text)
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  }
  const finish = tool ? 'tool_calls' : 'stop'
  const callId = `call_fake${n}`
  if (!body.stream) {
    const message = tool
      ? {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [{ id: callId, type: 'function', function: { name: toolName(body), arguments: TOOL_ARGS } }],
        }
      : { role: 'assistant', content: text, refusal: null }
    if (scenario === 'cut') {
      cutJson(res)
      return
    }
    if (scenario === 'hang') return
    sendJson(
      res,
      200,
      {
        id,
        object: 'chat.completion',
        created: CREATED,
        model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
        usage,
        system_fingerprint: 'fp_fake',
      },
      { 'x-request-id': `req_fake${n}` },
    )
    return
  }
  const withUsage = body.stream_options?.include_usage === true
  const chunk = (delta: unknown, finishReason: string | null) => ({
    id,
    object: 'chat.completion.chunk',
    created: CREATED,
    model,
    system_fingerprint: 'fp_fake',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(withUsage ? { usage: null } : {}),
  })
  const frames: string[] = []
  if (tool) {
    frames.push(
      sse(
        chunk(
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ index: 0, id: callId, type: 'function', function: { name: toolName(body), arguments: '' } }],
            refusal: null,
          },
          null,
        ),
      ),
    )
    for (const part of TOOL_ARGS.match(/.{1,8}/g) ?? [])
      frames.push(sse(chunk({ tool_calls: [{ index: 0, function: { arguments: part } }] }, null)))
  } else {
    frames.push(sse(chunk({ role: 'assistant', content: '', refusal: null }, null)))
    for (const p of pieces(text)) frames.push(sse(chunk({ content: p }, null)))
  }
  frames.push(sse(chunk({}, finish)))
  if (withUsage)
    frames.push(
      sse({
        id,
        object: 'chat.completion.chunk',
        created: CREATED,
        model,
        system_fingerprint: 'fp_fake',
        choices: [],
        usage,
      }),
    )
  frames.push('data: [DONE]\n\n')
  sendSse(res, frames, {
    headers: { 'x-request-id': `req_fake${n}` },
    cutAfter: scenario === 'cut' ? 3 : undefined,
    hang: scenario === 'hang',
  })
}

function responses(req: FakeRequest, res: ServerResponse, n: string, scenario: FakeScenario): void {
  const body = req.json ?? {}
  const model = body.model ?? 'gpt-4o-mini'
  const text = replyText(body, scenario)
  const tool = wantsTool(body, scenario)
  const inTok = fakeTokens(promptText(body))
  const outTok = tool ? fakeTokens(TOOL_ARGS) : fakeTokens(text)
  const msgId = `msg_fake${n}`
  const item = tool
    ? {
        type: 'function_call',
        id: `fc_fake${n}`,
        call_id: `call_fake${n}`,
        name: toolName(body),
        arguments: TOOL_ARGS,
        status: 'completed',
      }
    : {
        type: 'message',
        id: msgId,
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text, annotations: [] }],
      }
  const base = {
    id: `resp_fake${n}`,
    object: 'response',
    created_at: CREATED,
    model,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: body.tools ?? [],
    temperature: 1,
    top_p: 1,
    metadata: {},
  }
  const usage = {
    input_tokens: inTok,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: outTok,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inTok + outTok,
  }
  const done = { ...base, status: 'completed', output: [item], usage }
  if (!body.stream) {
    if (scenario === 'cut') {
      cutJson(res)
      return
    }
    if (scenario === 'hang') return
    sendJson(res, 200, done, { 'x-request-id': `req_fake${n}` })
    return
  }
  let seq = 0
  const ev = (type: string, data: object) => sse({ type, sequence_number: seq++, ...data }, type)
  const pending = { ...base, status: 'in_progress', output: [], usage: null }
  const frames = [ev('response.created', { response: pending }), ev('response.in_progress', { response: pending })]
  if (tool) {
    frames.push(
      ev('response.output_item.added', { output_index: 0, item: { ...item, arguments: '', status: 'in_progress' } }),
    )
    for (const part of TOOL_ARGS.match(/.{1,8}/g) ?? [])
      frames.push(ev('response.function_call_arguments.delta', { item_id: item.id, output_index: 0, delta: part }))
    frames.push(
      ev('response.function_call_arguments.done', { item_id: item.id, output_index: 0, arguments: TOOL_ARGS }),
    )
  } else {
    frames.push(
      ev('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } }),
    )
    frames.push(
      ev('response.content_part.added', {
        item_id: msgId,
        output_index: 0,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [] },
      }),
    )
    for (const p of pieces(text))
      frames.push(ev('response.output_text.delta', { item_id: msgId, output_index: 0, content_index: 0, delta: p }))
    frames.push(ev('response.output_text.done', { item_id: msgId, output_index: 0, content_index: 0, text }))
    frames.push(
      ev('response.content_part.done', {
        item_id: msgId,
        output_index: 0,
        content_index: 0,
        part: { type: 'output_text', text, annotations: [] },
      }),
    )
  }
  frames.push(ev('response.output_item.done', { output_index: 0, item }))
  frames.push(ev('response.completed', { response: done }))
  sendSse(res, frames, {
    headers: { 'x-request-id': `req_fake${n}` },
    cutAfter: scenario === 'cut' ? 4 : undefined,
    hang: scenario === 'hang',
  })
}

function embeddings(req: FakeRequest, res: ServerResponse): void {
  const body = req.json ?? {}
  const inputs: unknown[] = Array.isArray(body.input) ? body.input : [body.input]
  const data = inputs.map((input, index) => {
    const seed = fakeTokens(JSON.stringify(input ?? ''))
    const vector = [0.1, 0.2, 0.3, 0.4].map((x) => x * seed)
    const embedding =
      body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector
    return { object: 'embedding', index, embedding }
  })
  const tokens = fakeTokens(JSON.stringify(body.input ?? ''))
  sendJson(res, 200, {
    object: 'list',
    data,
    model: body.model ?? 'text-embedding-3-small',
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  })
}

/** Headers and half a JSON body, then the socket is destroyed. */
function cutJson(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' })
  res.write('{"id":"chatcmpl-cut","object":"chat.comp', () => res.socket?.destroy())
}

/**
 * A local stand-in for the OpenAI API, speaking its wire format: `POST /v1/chat/completions` (JSON, and SSE
 * `data:` chunks ending in `data: [DONE]`, with a final usage chunk when `stream_options.include_usage` is set;
 * tool calls streamed as `tool_calls` deltas), `POST /v1/responses` (JSON and its named SSE events),
 * `POST /v1/embeddings` (float or base64), `GET /v1/models`; anything else is a 404 in OpenAI's error shape.
 *
 * The scenario comes from the `x-fake-scenario` header or a model named `fake-<scenario>`: `tools` (always call the
 * first tool; offering `tools` also triggers a call), `echo` (reply with the last user message), `error-400`,
 * `error-401`, `error-429` (with `retry-after: 1`), `error-500` (OpenAI's `{ error: { message, type, param, code } }`),
 * `cut` (headers and part of the body, then the socket is destroyed), `hang` (first chunk, then nothing until the client
 * leaves; `requests[i].closed` reports it). Deterministic ids, texts and usage.
 *
 * @example
 * const fake = await startFakeOpenAI()
 * const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${fake.url}/v1`, maxRetries: 0 })
 * await client.chat.completions.create({ model: 'fake-error-429', messages: [{ role: 'user', content: 'hi' }] }) // throws RateLimitError
 * await fake.close()
 */
export function startFakeOpenAI(options: FakeServerOptions = {}): Promise<FakeUpstream> {
  return startFakeServer((req, res) => {
    const n = idOf(req)
    const path = req.url.split('?')[0]
    const scenario = scenarioOf(req)
    const err = ERRORS[scenario]
    if (err) {
      const headers: Record<string, string> = { 'x-request-id': `req_fake${n}` }
      if (err.status === 429) headers['retry-after'] = '1'
      sendJson(
        res,
        err.status,
        { error: { message: err.message, type: err.type, param: null, code: err.code } },
        headers,
      )
      return
    }
    if (req.method === 'POST' && path === '/v1/chat/completions') return chat(req, res, n, scenario)
    if (req.method === 'POST' && path === '/v1/responses') return responses(req, res, n, scenario)
    if (req.method === 'POST' && path === '/v1/embeddings') return embeddings(req, res)
    if (req.method === 'GET' && path === '/v1/models') {
      return sendJson(res, 200, {
        object: 'list',
        data: [{ id: 'gpt-4o-mini', object: 'model', created: CREATED, owned_by: 'system' }],
      })
    }
    sendJson(res, 404, {
      error: { message: `Invalid URL (${req.method} ${path})`, type: 'invalid_request_error', param: null, code: null },
    })
  }, options)
}
