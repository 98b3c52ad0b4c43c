import type { LogInput, Message, Operation, ToolCallInput, Usage } from '@promptledger/sdk'
import { tryJson } from './sse-parse.js'

/** What a provider parser reads out of one request / response pair. */
export interface ParsedCall {
  operation: Operation
  model: string | null
  messages?: Message[]
  input?: unknown
  params?: Record<string, unknown>
  tools?: unknown[]
  output?: unknown
  responseModel?: string | null
  responseId?: string | null
  finishReasons?: string[]
  toolCalls?: ToolCallInput[]
  usage?: Usage | null
  error?: { type: string; message: string } | null
  /** Text the model produced, for token estimation when the provider reported no usage. */
  outputText: string
}

/** A loosely-typed JSON object: provider bodies are read defensively, field by field. */
export type Json = Record<string, unknown>

export function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined
}

export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null
}

export function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}

/** Request fields that are content, not parameters. */
const CONTENT_KEYS = new Set(['model', 'messages', 'input', 'tools', 'system', 'instructions', 'prompt'])

export function paramsOf(body: Json): Record<string, unknown> {
  const params: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(body)) if (!CONTENT_KEYS.has(k)) params[k] = v
  return params
}

/** The error object both providers nest under `error` (OpenAI: top level; Anthropic: inside `{ type: 'error' }`). */
export function errorOf(body: unknown): { type: string; message: string } | null {
  const e = obj(obj(body)?.error)
  if (!e) return null
  return { type: str(e.type) ?? str(e.code) ?? 'error', message: str(e.message) ?? JSON.stringify(e) }
}

export type LogInputParts = Pick<LogInput, 'operation' | 'model'>

/**
 * The JSON object of a non-streamed response. On an HTTP error status the provider's error (or the start of
 * the body) is recorded on `call` instead, and undefined is returned.
 */
export function responseObject(call: ParsedCall, status: number, responseText: string): Json | undefined {
  const body = tryJson(responseText)
  if (status >= 400) {
    call.error = errorOf(body) ?? { type: `http_${status}`, message: responseText.slice(0, 1000) }
    return undefined
  }
  return obj(body)
}
