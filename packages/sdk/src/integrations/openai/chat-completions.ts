import type { ToolCallInput, Usage } from '../../record/log-input.js'
import type { Message } from '../../record/schema.js'
import type { RequestFields, ResponseFields } from '../call-capture.js'
import { abortedError } from '../error-info.js'
import { splitRequest } from '../request-split.js'
import { StreamAccumulator } from '../stream-accumulator.js'
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatMessageOut,
  OpenAIToolCall,
  OpenAIUsage,
} from './openai-shapes.js'

/** OpenAI usage → the record's usage (`prompt_tokens` already includes cached tokens). */
export function openAIUsage(u: OpenAIUsage | null | undefined): Usage | null {
  if (!u) return null
  return {
    inputTokens: u.prompt_tokens ?? null,
    outputTokens: u.completion_tokens ?? null,
    cacheReadTokens: u.prompt_tokens_details?.cached_tokens ?? null,
    reasoningTokens: u.completion_tokens_details?.reasoning_tokens ?? null,
  }
}

/** The request half of a chat record. */
export function chatRequestFields(body: unknown): RequestFields {
  const split = splitRequest(body, ['messages'])
  const messages = split.content['messages']
  return {
    model: split.model,
    // A shallow copy: apps push the reply onto the same array right after the call, before the ledger reads it.
    messages: Array.isArray(messages) ? (messages.slice() as Message[]) : undefined,
    tools: split.tools,
    params: split.params,
  }
}

function outputMessage(m: ChatMessageOut | undefined): Message {
  const out: Message = { role: m?.role ?? 'assistant', content: m?.content ?? null }
  if (m?.refusal) out['refusal'] = m.refusal
  return out
}

function toolCall(tc: OpenAIToolCall): ToolCallInput {
  return {
    id: tc.id ?? null,
    type: tc.type ?? 'function',
    name: tc.function?.name ?? '',
    arguments: tc.function?.arguments ?? '',
  }
}

/** The response half of a chat record from a complete `ChatCompletion`. */
export function chatResponseFields(res: ChatCompletion): ResponseFields {
  const choices = res.choices ?? []
  const toolCalls: ToolCallInput[] = []
  for (const c of choices) for (const tc of c.message?.tool_calls ?? []) toolCalls.push(toolCall(tc))
  return {
    responseId: res.id ?? null,
    responseModel: res.model ?? null,
    output: choices.map((c) => outputMessage(c.message)),
    finishReasons: choices.map((c) => c.finish_reason ?? 'unknown'),
    toolCalls: toolCalls.length > 0 ? toolCalls : undefined,
    usage: openAIUsage(res.usage),
  }
}

/**
 * Rebuilds a chat completion from its chunks as they pass: text per choice, tool calls assembled from their deltas
 * (keyed by choice and tool index), finish reasons and the usage chunk. Produces the same record fields as the
 * non-streamed response.
 */
export class ChatStreamAccumulator extends StreamAccumulator<ChatCompletionChunk> {
  private id: string | null = null
  private model: string | null = null
  private usage: OpenAIUsage | null = null
  private readonly messages: ChatMessageOut[] = []
  private readonly finishReasons: Array<string | undefined> = []
  private readonly toolCalls = new Map<string, OpenAIToolCall & { function: { name: string; arguments: string } }>()

  chunk(c: ChatCompletionChunk): void {
    if (this.id === null) {
      this.id = c.id ?? null
      this.model = c.model ?? null
    }
    if (c.usage) this.usage = c.usage
    for (const choice of c.choices ?? []) {
      const i = choice.index ?? 0
      const d = choice.delta
      if (d) {
        let m = this.messages[i]
        if (!m) {
          m = { role: 'assistant', content: null }
          this.messages[i] = m
        }
        if (d.role) m.role = d.role
        if (d.content) {
          this.capture.firstToken()
          m.content = (m.content ?? '') + d.content
        }
        if (d.refusal) {
          this.capture.firstToken()
          m.refusal = (m.refusal ?? '') + d.refusal
        }
        if (d.tool_calls) this.addToolDeltas(i, d.tool_calls)
      }
      if (choice.finish_reason) this.finishReasons[i] = choice.finish_reason
    }
  }

  private addToolDeltas(choice: number, deltas: OpenAIToolCall[]): void {
    this.capture.firstToken()
    for (const d of deltas) {
      const key = `${choice}:${d.index ?? 0}`
      let tc = this.toolCalls.get(key)
      if (!tc) {
        tc = { id: d.id ?? null, type: d.type ?? 'function', function: { name: '', arguments: '' } }
        this.toolCalls.set(key, tc)
      }
      if (d.id) tc.id = d.id
      if (d.function?.name) tc.function.name += d.function.name
      if (d.function?.arguments) tc.function.arguments += d.function.arguments
    }
  }

  protected fields(): ResponseFields {
    const toolCalls = [...this.toolCalls.values()].map(toolCall)
    const finish: string[] = []
    for (let i = 0; i < this.messages.length; i++) finish.push(this.finishReasons[i] ?? 'unknown')
    return {
      responseId: this.id,
      responseModel: this.model,
      output: this.messages.map((m) => outputMessage(m)),
      finishReasons: finish,
      toolCalls: toolCalls.length > 0 ? toolCalls : undefined,
      usage: openAIUsage(this.usage),
    }
  }

  protected ended(): boolean {
    return this.finishReasons.length > 0
  }

  protected complete(): void {
    if (this.finishReasons.length === 0) this.finishError(abortedError('stream ended before a finish_reason'))
    else this.capture.finish(this.request, this.fields())
  }
}
