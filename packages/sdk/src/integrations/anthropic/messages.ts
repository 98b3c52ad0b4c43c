import type { ToolCallInput, Usage } from '../../record/log-input.js'
import type { Message } from '../../record/schema.js'
import type { RequestFields, ResponseFields } from '../call-capture.js'
import { abortedError } from '../error-info.js'
import { splitRequest } from '../request-split.js'
import { StreamAccumulator } from '../stream-accumulator.js'
import type { AnthropicMessage, AnthropicUsage, ContentBlock, MessageStreamEvent } from './anthropic-shapes.js'

/**
 * Anthropic usage → the record's usage. Anthropic's `input_tokens` excludes cache reads and writes; the record's
 * `inputTokens` counts every prompt token (see `costUsd`), so they are added back in.
 */
export function anthropicUsage(u: AnthropicUsage | null | undefined): Usage | null {
  if (!u) return null
  const read = u.cache_read_input_tokens ?? 0
  const write = u.cache_creation_input_tokens ?? 0
  return {
    inputTokens: u.input_tokens == null ? null : u.input_tokens + read + write,
    outputTokens: u.output_tokens ?? null,
    cacheReadTokens: u.cache_read_input_tokens ?? null,
    cacheWriteTokens: u.cache_creation_input_tokens ?? null,
  }
}

/** The request half of a messages record; `system` becomes the leading system message. */
export function messagesRequestFields(body: unknown): RequestFields {
  const split = splitRequest(body, ['messages', 'system'])
  const list = split.content['messages']
  const messages: Message[] = Array.isArray(list) ? [...(list as Message[])] : []
  const system = split.content['system']
  if (system !== undefined && system !== null) messages.unshift({ role: 'system', content: system })
  return { model: split.model, messages, tools: split.tools, params: split.params }
}

function fieldsFrom(
  msg: AnthropicMessage,
  blocks: ContentBlock[],
  toolArgs: Array<string | undefined>,
): ResponseFields {
  let text = ''
  const toolCalls: ToolCallInput[] = []
  blocks.forEach((b, i) => {
    if (b.type === 'text' && b.text) text += b.text
    else if (b.type === 'tool_use' || b.type === 'server_tool_use')
      toolCalls.push({
        id: b.id ?? null,
        type: b.type,
        name: b.name ?? '',
        arguments: toolArgs[i] ?? JSON.stringify(b.input ?? {}),
      })
  })
  return {
    responseId: msg.id ?? null,
    responseModel: msg.model ?? null,
    output: [{ role: 'assistant', content: text || null }],
    finishReasons: msg.stop_reason ? [msg.stop_reason] : [],
    toolCalls: toolCalls.length > 0 ? toolCalls : undefined,
    usage: anthropicUsage(msg.usage),
  }
}

/** The response half from a complete message. */
export function messagesResponseFields(msg: AnthropicMessage): ResponseFields {
  return fieldsFrom(msg, msg.content ?? [], [])
}

/**
 * Follows Anthropic's named stream events: text and tool-input JSON per content block, the stop reason and usage
 * from `message_delta`, completion at `message_stop`.
 */
export class MessageStreamAccumulator extends StreamAccumulator<MessageStreamEvent> {
  private message: AnthropicMessage = {}
  private readonly blocks: ContentBlock[] = []
  private readonly toolArgs: Array<string | undefined> = []
  private usage: AnthropicUsage = {}
  private stopped = false

  chunk(e: MessageStreamEvent): void {
    const i = e.index ?? 0
    switch (e.type) {
      case 'message_start':
        // Copies: the caller receives these very objects and must never see them change.
        this.message = { ...e.message }
        this.usage = { ...e.message?.usage }
        break
      case 'content_block_start':
        this.blocks[i] = { ...e.content_block }
        break
      case 'content_block_delta': {
        this.capture.firstToken()
        const d = e.delta
        let block = this.blocks[i]
        if (!block) {
          block = { type: 'text' }
          this.blocks[i] = block
        }
        if (d?.type === 'text_delta') block.text = (block.text ?? '') + (d.text ?? '')
        else if (d?.type === 'input_json_delta') this.toolArgs[i] = (this.toolArgs[i] ?? '') + (d.partial_json ?? '')
        break
      }
      case 'message_delta':
        if (e.delta?.stop_reason) this.message.stop_reason = e.delta.stop_reason
        // Later counts replace earlier ones; fields absent from the delta keep the message_start value.
        for (const [k, v] of Object.entries(e.usage ?? {}))
          if (v != null) (this.usage as Record<string, unknown>)[k] = v
        break
      case 'message_stop':
        this.stopped = true
        break
    }
  }

  protected fields(): ResponseFields {
    return fieldsFrom({ ...this.message, usage: this.usage }, this.blocks, this.toolArgs)
  }

  protected ended(): boolean {
    return this.stopped
  }

  protected complete(): void {
    if (!this.stopped) this.finishError(abortedError('stream ended before message_stop'))
    else this.capture.finish(this.request, this.fields())
  }
}
