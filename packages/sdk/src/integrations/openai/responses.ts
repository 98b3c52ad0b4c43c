import type { ToolCallInput, Usage } from '../../record/log-input.js'
import type { Message } from '../../record/schema.js'
import type { CallCapture, RequestFields, ResponseFields } from '../call-capture.js'
import { abortedError } from '../error-info.js'
import { splitRequest } from '../request-split.js'
import { StreamAccumulator } from '../stream-accumulator.js'
import type { ResponseObject, ResponseStreamEvent, ResponsesUsage } from './openai-shapes.js'

function responsesUsage(u: ResponsesUsage | null | undefined): Usage | null {
  if (!u) return null
  return {
    inputTokens: u.input_tokens ?? null,
    outputTokens: u.output_tokens ?? null,
    cacheReadTokens: u.input_tokens_details?.cached_tokens ?? null,
    reasoningTokens: u.output_tokens_details?.reasoning_tokens ?? null,
  }
}

function isMessageList(input: unknown): input is Message[] {
  return Array.isArray(input) && input.every((m) => m && typeof m === 'object' && typeof m.role === 'string')
}

/**
 * The request half of a Responses API record. A string input or a list of messages becomes `messages` (with
 * `instructions` as the leading system message); any other input (items with tool outputs, files) stays raw in `input`.
 */
export function responsesRequestFields(body: unknown): RequestFields {
  const split = splitRequest(body, ['input', 'instructions'])
  const input = split.content['input']
  const instructions = split.content['instructions']
  const fields: RequestFields = { model: split.model, tools: split.tools, params: split.params }
  if (typeof input === 'string' || isMessageList(input)) {
    const messages: Message[] = typeof input === 'string' ? [{ role: 'user', content: input }] : [...input]
    if (typeof instructions === 'string') messages.unshift({ role: 'system', content: instructions })
    fields.messages = messages
  } else {
    fields.input = input
    if (instructions !== undefined) split.params['instructions'] = instructions
  }
  return fields
}

/** The response half from a complete `Response` object (non-streamed, or a stream's `response.completed`). */
export function responsesResponseFields(res: ResponseObject, partialText?: string): ResponseFields {
  let text = ''
  const toolCalls: ToolCallInput[] = []
  for (const item of res.output ?? []) {
    if (item.type === 'message') {
      for (const part of item.content ?? []) if (part.type === 'output_text' && part.text) text += part.text
    } else if (item.type === 'function_call') {
      toolCalls.push({
        id: item.call_id ?? item.id ?? null,
        type: 'function',
        name: item.name ?? '',
        arguments: item.arguments ?? '',
      })
    }
  }
  const finish =
    res.status === 'incomplete' ? (res.incomplete_details?.reason ?? 'incomplete') : (res.status ?? 'unknown')
  return {
    responseId: res.id ?? null,
    responseModel: res.model ?? null,
    output: [{ role: 'assistant', content: text || partialText || null }],
    finishReasons: [finish],
    toolCalls: toolCalls.length > 0 ? toolCalls : undefined,
    usage: responsesUsage(res.usage),
  }
}

/** Logs a finished `Response`: a `failed` one is an error record with the provider's error code as its type. */
export function finishResponse(
  capture: CallCapture,
  request: RequestFields,
  res: ResponseObject,
  partialText?: string,
) {
  const fields = responsesResponseFields(res, partialText)
  if (res.status === 'failed') {
    const e = res.error
    capture.finish(request, fields, 'error', {
      type: e?.code ?? 'failed',
      message: e?.message ?? 'response failed',
      httpStatus: null,
    })
  } else capture.finish(request, fields)
}

/** Follows Responses API stream events; the terminal event carries the whole `Response`, so that is what is logged. */
export class ResponsesStreamAccumulator extends StreamAccumulator<ResponseStreamEvent> {
  private text = ''
  private started: ResponseObject | null = null
  private final: ResponseObject | null = null
  private errorEvent: ResponseStreamEvent | null = null

  chunk(e: ResponseStreamEvent): void {
    switch (e.type) {
      case 'response.output_text.delta':
        this.capture.firstToken()
        this.text += e.delta ?? ''
        break
      case 'response.function_call_arguments.delta':
      case 'response.refusal.delta':
        this.capture.firstToken()
        break
      case 'response.created':
        this.started = e.response ?? null
        break
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        this.final = e.response ?? null
        break
      case 'error':
        this.errorEvent = e
        break
    }
  }

  protected fields(): ResponseFields {
    const base = this.started ? responsesResponseFields({ ...this.started, output: [] }, this.text) : {}
    return { ...base, output: [{ role: 'assistant', content: this.text || null }] }
  }

  protected ended(): boolean {
    return this.final !== null || this.errorEvent !== null
  }

  protected complete(): void {
    if (this.final) finishResponse(this.capture, this.request, this.final, this.text)
    else if (this.errorEvent) {
      const e = this.errorEvent
      this.finishError({ type: e.code ?? 'error', message: e.message ?? 'stream error', httpStatus: null })
    } else this.finishError(abortedError('stream ended before its terminal event'))
  }
}
