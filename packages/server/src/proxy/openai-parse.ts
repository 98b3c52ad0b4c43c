import type { Message, Operation, ToolCallInput, Usage } from '@promptledger/sdk'
import { arr, errorOf, type Json, num, obj, type ParsedCall, paramsOf, responseObject, str } from './parsed-call.js'
import { parseSse, tryJson } from './sse-parse.js'

function operationOf(path: string): Operation {
  if (path.startsWith('/v1/chat/completions')) return 'chat'
  if (path.startsWith('/v1/responses')) return 'responses'
  if (path.startsWith('/v1/embeddings')) return 'embeddings'
  if (path.startsWith('/v1/completions')) return 'completion'
  return 'custom'
}

function usageOf(u: Json | undefined): Usage | null {
  if (!u) return null
  const inDetails = obj(u.prompt_tokens_details) ?? obj(u.input_tokens_details)
  const outDetails = obj(u.completion_tokens_details) ?? obj(u.output_tokens_details)
  return {
    inputTokens: num(u.prompt_tokens) ?? num(u.input_tokens),
    outputTokens: num(u.completion_tokens) ?? num(u.output_tokens) ?? (u.prompt_tokens !== undefined ? 0 : null),
    cacheReadTokens: num(inDetails?.cached_tokens),
    reasoningTokens: num(outDetails?.reasoning_tokens),
  }
}

function requestPart(path: string, body: Json): ParsedCall {
  const operation = operationOf(path)
  const messages = arr(body.messages) as Message[]
  const instructions = str(body.instructions)
  // The Responses API's instructions are a system prompt: keep them with the messages so redaction sees them.
  if (instructions !== null) messages.unshift({ role: 'system', content: instructions })
  const call: ParsedCall = { operation, model: str(body.model), params: paramsOf(body), outputText: '' }
  if (messages.length > 0) call.messages = messages
  if (body.input !== undefined) call.input = body.input
  else if (body.prompt !== undefined) call.input = body.prompt
  if (Array.isArray(body.tools)) call.tools = body.tools
  return call
}

function chatResult(call: ParsedCall, r: Json): void {
  call.responseId = str(r.id)
  call.responseModel = str(r.model)
  const choices = arr(r.choices).map(obj)
  call.output = choices.map((c) => c?.message ?? c?.text ?? null)
  call.finishReasons = choices.map((c) => str(c?.finish_reason)).filter((f): f is string => f !== null)
  const tools: ToolCallInput[] = []
  for (const c of choices) {
    for (const t of arr(obj(c?.message)?.tool_calls).map(obj)) {
      const fn = obj(t?.function)
      tools.push({
        id: str(t?.id),
        type: str(t?.type) ?? 'function',
        name: str(fn?.name) ?? '',
        arguments: str(fn?.arguments) ?? '',
      })
    }
    call.outputText += str(obj(c?.message)?.content) ?? str(c?.text) ?? ''
  }
  if (tools.length > 0) call.toolCalls = tools
  call.usage = usageOf(obj(r.usage))
}

function responsesResult(call: ParsedCall, r: Json): void {
  call.responseId = str(r.id)
  call.responseModel = str(r.model)
  const items = arr(r.output).map(obj)
  call.output = r.output
  const status = str(r.status)
  if (status) call.finishReasons = [status]
  const tools: ToolCallInput[] = []
  for (const it of items) {
    if (it?.type === 'function_call') {
      tools.push({
        id: str(it.call_id) ?? str(it.id),
        type: 'function',
        name: str(it.name) ?? '',
        arguments: str(it.arguments) ?? '',
      })
    }
    for (const part of arr(it?.content).map(obj)) call.outputText += str(part?.text) ?? ''
  }
  if (tools.length > 0) call.toolCalls = tools
  call.usage = usageOf(obj(r.usage))
  const err = obj(r.error)
  if (err) call.error = { type: str(err.code) ?? 'error', message: str(err.message) ?? '' }
}

function embeddingsResult(call: ParsedCall, r: Json): void {
  call.responseModel = str(r.model)
  const data = arr(r.data).map(obj)
  const first = data[0]?.embedding
  // Vectors are not worth storing; their count and size are.
  const dimensions = Array.isArray(first)
    ? first.length
    : typeof first === 'string'
      ? Buffer.from(first, 'base64').length / 4
      : null
  call.output = { embeddings: data.length, dimensions }
  call.usage = usageOf(obj(r.usage))
}

/** Reassembles a chat completion from its `chat.completion.chunk` deltas (text and tool calls per choice). */
function chatStream(call: ParsedCall, datas: unknown[]): void {
  const texts = new Map<number, string>()
  const finish = new Map<number, string>()
  const tools = new Map<string, ToolCallInput>()
  for (const d of datas.map(obj)) {
    if (!d) continue
    call.responseId ??= str(d.id)
    call.responseModel ??= str(d.model)
    if (obj(d.usage)) call.usage = usageOf(obj(d.usage))
    for (const c of arr(d.choices).map(obj)) {
      const i = num(c?.index) ?? 0
      const delta = obj(c?.delta)
      const content = str(delta?.content)
      if (content) texts.set(i, (texts.get(i) ?? '') + content)
      const f = str(c?.finish_reason)
      if (f) finish.set(i, f)
      for (const t of arr(delta?.tool_calls).map(obj)) {
        const key = `${i}:${num(t?.index) ?? 0}`
        const fn = obj(t?.function)
        const cur = tools.get(key) ?? { id: null, type: 'function', name: '', arguments: '' }
        cur.id = str(t?.id) ?? cur.id
        cur.name += str(fn?.name) ?? ''
        cur.arguments += str(fn?.arguments) ?? ''
        tools.set(key, cur)
      }
    }
  }
  // Each choice's message as the non-streamed response gives it: text, and its tool calls in the message format.
  const toolsOf = new Map<
    number,
    Array<{ id: string | null; type: string; function: { name: string; arguments: string } }>
  >()
  for (const [key, t] of tools) {
    const i = Number(key.slice(0, key.indexOf(':')))
    const list = toolsOf.get(i) ?? []
    list.push({ id: t.id ?? null, type: 'function', function: { name: t.name, arguments: t.arguments } })
    toolsOf.set(i, list)
  }
  const indexes = [...new Set([...texts.keys(), ...finish.keys(), ...toolsOf.keys()])].sort((a, b) => a - b)
  call.output = indexes.map((i) => {
    const calls = toolsOf.get(i)
    return calls
      ? { role: 'assistant', content: texts.get(i) ?? null, tool_calls: calls }
      : { role: 'assistant', content: texts.get(i) ?? null }
  })
  call.finishReasons = indexes.map((i) => finish.get(i)).filter((f): f is string => f !== undefined)
  if (tools.size > 0) call.toolCalls = [...tools.values()]
  call.outputText = [...texts.values()].join('') + (call.toolCalls?.map((t) => t.arguments).join('') ?? '')
}

/** Takes the final `response.*` event when it arrived; otherwise rebuilds text and tool calls from the deltas. */
function responsesStream(call: ParsedCall, datas: unknown[]): void {
  let text = ''
  const tools = new Map<string, ToolCallInput>()
  for (const d of datas.map(obj)) {
    const type = str(d?.type)
    const final = obj(d?.response)
    if (final && (type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed')) {
      responsesResult(call, final)
      return
    }
    if (final) {
      call.responseId ??= str(final.id)
      call.responseModel ??= str(final.model)
    }
    if (type === 'response.output_text.delta') text += str(d?.delta) ?? ''
    const item = obj(d?.item)
    if (type === 'response.output_item.added' && item?.type === 'function_call') {
      tools.set(str(item.id) ?? '', {
        id: str(item.call_id),
        type: 'function',
        name: str(item.name) ?? '',
        arguments: '',
      })
    }
    if (type === 'response.function_call_arguments.delta') {
      const t = tools.get(str(d?.item_id) ?? '')
      if (t) t.arguments += str(d?.delta) ?? ''
    }
  }
  call.output = text
  call.outputText = text
  if (tools.size > 0) call.toolCalls = [...tools.values()]
}

/** Reads an OpenAI call: chat completions, Responses, embeddings, legacy completions, JSON or SSE. */
export function parseOpenAI(
  path: string,
  requestBody: unknown,
  status: number,
  isSse: boolean,
  responseText: string,
): ParsedCall {
  const call = requestPart(path, obj(requestBody) ?? {})
  if (isSse) {
    const datas: unknown[] = []
    for (const e of parseSse(responseText)) {
      if (e.data === '[DONE]') continue
      const d = tryJson(e.data)
      if (d === undefined) continue
      const err = e.event === 'error' ? { type: 'error', message: e.data } : errorOf(d)
      if (err) call.error = err
      datas.push(d)
    }
    if (call.operation === 'responses') responsesStream(call, datas)
    else chatStream(call, datas)
    return call
  }
  const r = responseObject(call, status, responseText)
  if (!r) return call
  if (call.operation === 'chat' || call.operation === 'completion') chatResult(call, r)
  else if (call.operation === 'responses') responsesResult(call, r)
  else if (call.operation === 'embeddings') embeddingsResult(call, r)
  else call.output = r
  return call
}
