import type { Message, ToolCallInput, Usage } from '@promptledger/sdk'
import { arr, errorOf, type Json, num, obj, type ParsedCall, paramsOf, responseObject, str } from './parsed-call.js'
import { parseSse, tryJson } from './sse-parse.js'

/**
 * Anthropic's `input_tokens` excludes cache reads and writes; the ledger's convention (see `costUsd`) counts every
 * prompt token in `inputTokens`, so they are added back in.
 */
function usageOf(u: Json | undefined): Usage | null {
  if (!u) return null
  const input = num(u.input_tokens)
  return {
    inputTokens:
      input === null ? null : input + (num(u.cache_read_input_tokens) ?? 0) + (num(u.cache_creation_input_tokens) ?? 0),
    outputTokens: num(u.output_tokens),
    cacheReadTokens: num(u.cache_read_input_tokens),
    cacheWriteTokens: num(u.cache_creation_input_tokens),
  }
}

function requestPart(path: string, body: Json): ParsedCall {
  const messages = arr(body.messages) as Message[]
  // The system prompt is content: keep it with the messages so redaction sees it.
  if (body.system !== undefined) messages.unshift({ role: 'system', content: body.system })
  const call: ParsedCall = {
    operation: path.startsWith('/v1/messages') && !path.startsWith('/v1/messages/') ? 'chat' : 'custom',
    model: str(body.model),
    params: paramsOf(body),
    outputText: '',
  }
  if (messages.length > 0) call.messages = messages
  if (Array.isArray(body.tools)) call.tools = body.tools
  return call
}

function fromBlocks(call: ParsedCall, blocks: Json[]): void {
  const tools: ToolCallInput[] = []
  for (const b of blocks) {
    if (b.type === 'text') call.outputText += str(b.text) ?? ''
    if (b.type === 'tool_use') {
      const args = typeof b.input === 'string' ? b.input : JSON.stringify(b.input ?? {})
      tools.push({ id: str(b.id), type: 'tool_use', name: str(b.name) ?? '', arguments: args })
      call.outputText += args
    }
  }
  if (tools.length > 0) call.toolCalls = tools
  call.output = [{ role: 'assistant', content: blocks }]
}

/** Rebuilds the message from its named events: blocks by index, text and `input_json_delta` appended in order. */
function fromStream(call: ParsedCall, text: string): void {
  const blocks: Json[] = []
  let usage: Usage | null = null
  for (const e of parseSse(text)) {
    const d = obj(tryJson(e.data))
    if (!d) continue
    const type = str(d.type) ?? e.event
    if (type === 'error') call.error = errorOf(d)
    else if (type === 'message_start') {
      const m = obj(d.message)
      call.responseId = str(m?.id)
      call.responseModel = str(m?.model)
      usage = usageOf(obj(m?.usage))
      // message_start carries a placeholder output count; the real one comes with message_delta.
      if (usage) usage.outputTokens = null
    } else if (type === 'content_block_start') {
      const b = { ...(obj(d.content_block) ?? {}) }
      if (b.type === 'tool_use') b.input = ''
      blocks[num(d.index) ?? blocks.length] = b
    } else if (type === 'content_block_delta') {
      const b = blocks[num(d.index) ?? 0]
      const delta = obj(d.delta)
      if (!b || !delta) continue
      if (delta.type === 'text_delta') b.text = (str(b.text) ?? '') + (str(delta.text) ?? '')
      else if (delta.type === 'input_json_delta') b.input = (str(b.input) ?? '') + (str(delta.partial_json) ?? '')
      else if (delta.type === 'thinking_delta') b.thinking = (str(b.thinking) ?? '') + (str(delta.thinking) ?? '')
    } else if (type === 'message_delta') {
      const stop = str(obj(d.delta)?.stop_reason)
      if (stop) call.finishReasons = [stop]
      const u = usageOf(obj(d.usage))
      if (u) usage = { ...(usage ?? {}), ...Object.fromEntries(Object.entries(u).filter(([, v]) => v !== null)) }
    }
  }
  const done = blocks.filter(Boolean).map((b) => {
    if (b.type !== 'tool_use') return b
    const input = str(b.input) || '{}'
    return { ...b, input: tryJsonOr(input) }
  })
  fromBlocks(call, done)
  // Streamed tool input is kept exactly as the model produced it.
  call.toolCalls?.forEach((t, i) => {
    const raw = blocks.filter((b) => b?.type === 'tool_use')[i]
    t.arguments = str(raw?.input) || '{}'
  })
  call.usage = usage
}

function tryJsonOr(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** Reads an Anthropic Messages call, JSON or SSE. */
export function parseAnthropic(
  path: string,
  requestBody: unknown,
  status: number,
  isSse: boolean,
  responseText: string,
): ParsedCall {
  const call = requestPart(path, obj(requestBody) ?? {})
  if (isSse) {
    fromStream(call, responseText)
    return call
  }
  const r = responseObject(call, status, responseText)
  if (!r) return call
  call.responseId = str(r.id)
  call.responseModel = str(r.model)
  const stop = str(r.stop_reason)
  if (stop) call.finishReasons = [stop]
  fromBlocks(
    call,
    arr(r.content).map((b) => obj(b) ?? {}),
  )
  call.usage = usageOf(obj(r.usage))
  return call
}
