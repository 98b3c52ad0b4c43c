import type { LedgerRecord, ToolCall } from '../../record/schema.js'

/**
 * Prompt and output in the GenAI conventions' message shape (`gen_ai.input.messages`, `gen_ai.output.messages`):
 * `{ role, parts: [{ type: 'text', content } | { type: 'tool_call', … } | …] }`. Provider parts this does not know
 * are passed on as they are: the schema allows any part with a `type`.
 */

export type Part = { type: string; [key: string]: unknown }
export interface GenAiMessage {
  role: string
  parts: Part[]
  finish_reason?: string
}

type Loose = Record<string, unknown>

function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Tool arguments are JSON text as the model wrote it; the convention wants the object when it parses. */
function parsedArguments(text: unknown): unknown {
  if (typeof text !== 'string') return text ?? null
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function toolCallPart(call: Loose): Part {
  const fn = isObject(call['function']) ? call['function'] : call
  return {
    type: 'tool_call',
    id: typeof call['id'] === 'string' ? call['id'] : null,
    name: typeof fn['name'] === 'string' ? fn['name'] : '',
    arguments: parsedArguments(fn['arguments']),
  }
}

/** One provider content item (OpenAI text parts, Anthropic blocks) as a convention part. */
function contentPart(item: unknown): Part {
  if (typeof item === 'string') return { type: 'text', content: item }
  if (!isObject(item)) return { type: 'json', content: item }
  const type = item['type']
  if (typeof item['text'] === 'string' && (type === 'text' || type === 'input_text' || type === 'output_text')) {
    return { type: 'text', content: item['text'] }
  }
  if (type === 'tool_use')
    return { type: 'tool_call', id: item['id'] ?? null, name: item['name'], arguments: item['input'] }
  if (type === 'tool_result')
    return { type: 'tool_call_response', id: item['tool_use_id'] ?? null, response: item['content'] }
  return typeof type === 'string' ? (item as Part) : { type: 'json', content: item }
}

function contentParts(content: unknown): Part[] {
  if (content === undefined || content === null || content === '') return []
  return Array.isArray(content) ? content.map(contentPart) : [contentPart(content)]
}

/** A chat message (OpenAI or Anthropic shape, as records keep them) in the convention's shape. */
function message(m: Loose): GenAiMessage {
  const role = typeof m['role'] === 'string' ? m['role'] : 'user'
  if (role === 'tool' && m['tool_call_id'] !== undefined) {
    return { role, parts: [{ type: 'tool_call_response', id: m['tool_call_id'], response: m['content'] ?? null }] }
  }
  const parts = contentParts(m['content'])
  if (Array.isArray(m['tool_calls']))
    for (const call of m['tool_calls']) if (isObject(call)) parts.push(toolCallPart(call))
  return { role, parts }
}

/** The prompt: `request.messages`, or an `input` that is text or a list of messages; null when there is none. */
export function inputMessages(record: LedgerRecord): GenAiMessage[] | null {
  const { messages, input } = record.request
  if (messages && messages.length > 0) return messages.map((m) => message(m))
  if (typeof input === 'string') return [{ role: 'user', parts: [{ type: 'text', content: input }] }]
  if (Array.isArray(input) && input.length > 0 && input.every((m) => isObject(m) && typeof m['role'] === 'string')) {
    return input.map((m) => message(m as Loose))
  }
  return null
}

/**
 * The output: one message per choice, each with its finish reason (the convention requires one); tool calls the
 * record keeps apart join the first message. Null when there is no output, and for embeddings, whose output is a
 * count of vectors, not content.
 */
export function outputMessages(record: LedgerRecord): GenAiMessage[] | null {
  const res = record.response
  if (!res || record.operation === 'embeddings') return null
  const out = res.output
  const list: GenAiMessage[] = Array.isArray(out)
    ? out.map((m) => (isObject(m) ? message(m) : { role: 'assistant', parts: contentParts(m) }))
    : out === undefined || out === null
      ? []
      : [{ role: 'assistant', parts: contentParts(typeof out === 'string' ? out : [out]) }]
  const calls = (res.tool_calls ?? []).map((c: ToolCall) => toolCallPart(c as Loose))
  if (calls.length > 0) {
    if (list.length === 0) list.push({ role: 'assistant', parts: [] })
    list[0]!.parts.push(...calls)
  }
  if (list.length === 0) return null
  const reasons = res.finish_reasons ?? []
  return list.map((m, i) => ({ ...m, finish_reason: reasons[i] ?? reasons[0] ?? '' }))
}
