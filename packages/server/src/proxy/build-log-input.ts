import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'
import { costUsd, type LogInput, type Message } from '@promptledger/sdk'
import { parseAnthropic } from './anthropic-parse.js'
import { dechunk } from './chunked-scan.js'
import type { Exchange } from './exchange.js'
import { parseOpenAI } from './openai-parse.js'
import type { ParsedCall } from './parsed-call.js'
import { tryJson } from './sse-parse.js'
import { countTokens } from './token-estimate.js'

function decode(ex: Exchange): string {
  const joined = ex.chunks.length === 1 ? ex.chunks[0]! : Buffer.concat(ex.chunks)
  const raw = ex.chunked ? dechunk(joined) : joined
  try {
    if (ex.encoding === 'gzip') return gunzipSync(raw).toString('utf8')
    if (ex.encoding === 'deflate') return inflateSync(raw).toString('utf8')
    if (ex.encoding === 'br') return brotliDecompressSync(raw).toString('utf8')
  } catch {
    // A cut or truncated compressed body cannot be inflated; the record keeps what the parser can still read.
    return ''
  }
  return raw.toString('utf8')
}

function contentText(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v)
}

/** Fills missing input/output counts with a tokenizer and marks the usage estimated. */
async function estimateUsage(call: ParsedCall): Promise<void> {
  const u = call.usage ?? {}
  const needIn = u.inputTokens === null || u.inputTokens === undefined
  const needOut = u.outputTokens === null || u.outputTokens === undefined
  if (!needIn && !needOut) return
  if (call.operation !== 'chat' && call.operation !== 'responses' && call.operation !== 'completion') return
  const model = call.responseModel ?? call.model
  if (needIn) {
    const texts = (call.messages ?? []).map((m: Message) => contentText(m.content))
    if (call.input !== undefined) texts.push(contentText(call.input))
    // 3 tokens of framing per message and 3 to prime the reply, as OpenAI documents for chat models.
    u.inputTokens = (await countTokens(model, texts, 3)) + 3
  }
  if (needOut) u.outputTokens = await countTokens(model, [call.outputText])
  u.estimated = true
  call.usage = u
}

/**
 * A complete, successful JSON response whose body does not parse: the client's SDK fails on it, so the call failed
 * (a truncated capture is incomplete by our choice, not the upstream's fault).
 */
function unreadableJson(ex: Exchange, isSse: boolean, text: string): boolean {
  if (isSse || ex.truncated || !ex.contentType.includes('json') || text.trim() === '') return false
  return tryJson(text) === undefined
}

/** Turns a finished exchange into the `LogInput` the ledger takes. Runs off the response path. */
export async function buildLogInput(ex: Exchange): Promise<LogInput> {
  const isSse = ex.contentType.includes('text/event-stream')
  const requestJson = tryJson(ex.requestBody.toString('utf8'))
  const status = ex.status ?? 0
  const text = ex.failure?.type === 'upstream_unreachable' ? '' : decode(ex)
  const parse = ex.provider === 'anthropic' ? parseAnthropic : parseOpenAI
  const call = parse(ex.path, requestJson, status, isSse, text)
  if (status > 0 && status < 400 && !ex.truncated) await estimateUsage(call)
  const error = ex.failure
    ? { type: ex.failure.type, message: ex.failure.message, httpStatus: ex.status }
    : call.error || status >= 400
      ? { type: call.error?.type ?? `http_${status}`, message: call.error?.message ?? '', httpStatus: status }
      : unreadableJson(ex, isSse, text)
        ? {
            type: 'invalid_response',
            message: 'the upstream answered with a JSON content type and a body that is not JSON',
            httpStatus: status,
          }
        : null
  const endedAt = ex.endedAt ?? ex.t0
  const latencyMs = endedAt - ex.t0
  const input: LogInput = {
    provider: ex.provider,
    operation: call.operation,
    model: call.model,
    params: call.params,
    responseModel: call.responseModel ?? null,
    responseId: call.responseId ?? null,
    usage: call.usage ?? null,
    // From the versioned price table; null for an unknown model. Estimated usage gives an estimated cost, and says so.
    costUsd: costUsd(call.responseModel ?? call.model, call.usage ?? null),
    status: error ? 'error' : 'ok',
    error,
    userId: ex.tags.userId,
    sessionId: ex.tags.sessionId,
    app: ex.tags.app,
    tags: ex.tags.tags,
    metadata: {
      capture: 'proxy',
      method: ex.method,
      path: ex.path,
      http_status: status,
      ...(ex.truncated ? { truncated: true } : {}),
    },
    startTime: new Date(ex.startedAt),
    endTime: new Date(ex.startedAt + latencyMs),
    latencyMs,
    // The first output-bearing event; the first byte when none was seen (a compressed stream, one with no output).
    ttftMs: isSse && ex.firstByteAt !== null ? (ex.firstTokenAt ?? ex.firstByteAt) - ex.t0 : null,
  }
  if (call.messages) input.messages = call.messages
  if (call.input !== undefined) input.input = call.input
  if (call.tools) input.tools = call.tools
  if (call.output !== undefined) input.output = call.output
  if (call.finishReasons?.length) input.finishReasons = call.finishReasons
  if (call.toolCalls) input.toolCalls = call.toolCalls
  return input
}
