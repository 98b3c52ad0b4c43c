import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A local stand-in for a model provider: OpenAI's chat completions wire format, JSON and SSE, with its failures. */
export interface DemoModel {
  /** e.g. http://127.0.0.1:41234 (the proxy's `openaiUpstream`). */
  url: string
  close(): Promise<void>
}

export interface DemoModelOptions {
  /** 0..1 → a number; injectable so tests get the same answers every run. Default Math.random. */
  random?: () => number
  /** Added to every answer, in ms, scaled by `random` (default up to 250 ms: answers arrive in varied time). */
  maxDelayMs?: number
}

interface ChatRequest {
  model?: unknown
  messages?: Array<{ role?: unknown; content?: unknown }>
  stream?: unknown
}

const REPLIES = [
  'Here is a short summary of what you sent.',
  "I'm not sure I understood the question; could you rephrase it?",
  'The refund was approved and should arrive within five business days.',
  'Sure. The three main risks are cost overruns, schedule slips and vendor lock-in.',
  'As an AI, I cannot access your account, but here is how to reset the password.',
  'Done: the meeting is moved to Thursday at 10:00.',
]

/** Rough token count of a text: a word and a half per token, as tokenizers average for English. */
function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.split(/\s+/).length * 1.4))
}

function lastUserText(req: ChatRequest): string {
  const user = [...(req.messages ?? [])].reverse().find((m) => m.role === 'user')
  return typeof user?.content === 'string' ? user.content : ''
}

/**
 * Starts the demo model on loopback. It answers `POST /v1/chat/completions` like OpenAI's API (a JSON completion, or
 * an SSE stream ending with a usage chunk when `stream_options.include_usage` asks for it), and sometimes fails as a
 * provider does: about 3 % of calls get a 500, 2 % a 429 with `retry-after`.
 *
 * @example
 * const model = await startDemoModel()
 * // promptledger's proxy forwards /proxy/openai/v1/* to model.url
 */
export async function startDemoModel(options: DemoModelOptions = {}): Promise<DemoModel> {
  const random = options.random ?? Math.random
  const maxDelay = options.maxDelayMs ?? 250
  const server = createServer((req, res) => {
    void answer(req, res, random, maxDelay).catch(() => {
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, close: () => close(server) }
}

function close(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve) => server.close(() => resolve()))
}

async function readJson(req: IncomingMessage): Promise<ChatRequest> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest
  } catch {
    return {}
  }
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (status === 429) headers['retry-after'] = '1'
  res.writeHead(status, headers)
  res.end(JSON.stringify({ error: { message, type, code: null } }))
}

async function answer(req: IncomingMessage, res: ServerResponse, random: () => number, maxDelay: number) {
  if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
    sendError(res, 404, 'invalid_request_error', 'the demo model answers POST /v1/chat/completions only')
    return
  }
  const body = await readJson(req)
  await new Promise((resolve) => setTimeout(resolve, Math.round(random() * maxDelay)))
  const roll = random()
  if (roll < 0.03) return sendError(res, 500, 'server_error', 'The server had an error processing your request.')
  if (roll < 0.05) return sendError(res, 429, 'rate_limit_exceeded', 'Rate limit reached for requests per minute.')
  const model = typeof body.model === 'string' ? body.model : 'gpt-4o-mini'
  const reply = REPLIES[Math.floor(random() * REPLIES.length)]!
  const usage = {
    prompt_tokens: tokens(lastUserText(body)) + 12,
    completion_tokens: tokens(reply),
    total_tokens: 0,
  }
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens
  const id = `chatcmpl-demo${Math.floor(random() * 1e9).toString(36)}`
  const created = Math.floor(Date.now() / 1000)
  if (body.stream === true) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    const chunk = (delta: object, finish: string | null, extra: object = {}) =>
      `data: ${JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices: [{ index: 0, delta, finish_reason: finish }],
        ...extra,
      })}\n\n`
    res.write(chunk({ role: 'assistant', content: '' }, null))
    for (const word of reply.split(/(?<= )/)) {
      res.write(chunk({ content: word }, null))
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    res.write(chunk({}, 'stop'))
    const wantsUsage = (body as { stream_options?: { include_usage?: unknown } }).stream_options?.include_usage
    if (wantsUsage === true) {
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`,
      )
    }
    res.end('data: [DONE]\n\n')
    return
  }
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(
    JSON.stringify({
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
      usage,
    }),
  )
}
