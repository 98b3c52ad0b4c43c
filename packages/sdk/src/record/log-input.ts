import type { Message, Operation, RecordSignals } from './schema.js'

/** Token usage in the TypeScript API (camelCase); written as `usage` in snake_case. */
export interface Usage {
  inputTokens?: number | null
  outputTokens?: number | null
  cacheReadTokens?: number | null
  cacheWriteTokens?: number | null
  reasoningTokens?: number | null
  estimated?: boolean
}

export interface ToolCallInput {
  id?: string | null
  type?: string | null
  name: string
  /** JSON text, exactly as the model produced it. */
  arguments: string
}

export interface ErrorInput {
  type?: string
  message: string
  httpStatus?: number | null
}

/**
 * What `ledger.log()` accepts. The simple form of the specification is `{ prompt, response }`;
 * the structured form fills `messages`, `output`, `usage` and the rest. Every field is optional.
 *
 * @example
 * ledger.log({ prompt: 'Hi', response: 'Hello!', model: 'gpt-4o', userId: 'user_123' })
 */
export interface LogInput {
  /** The prompt as plain text (simple form). Stored as a single user message. */
  prompt?: string
  /** The response as plain text or any JSON value (simple form). Stored as `response.output`. */
  response?: unknown
  model?: string | null
  provider?: string | null
  operation?: Operation
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
  /** Overrides the price table; leave unset to let the ledger compute it. */
  costUsd?: number | null
  status?: 'ok' | 'error'
  /** An `Error` is accepted: its `name` becomes the type, `status` the HTTP status. */
  error?: ErrorInput | Error | null
  userId?: string | null
  sessionId?: string | null
  traceId?: string | null
  spanId?: string | null
  parentSpanId?: string | null
  app?: string | null
  environment?: string | null
  tags?: string[]
  metadata?: Record<string, unknown>
  /** When the call started; defaults to now minus `latencyMs`, or now. */
  startTime?: Date | number
  endTime?: Date | number
  latencyMs?: number | null
  ttftMs?: number | null
  signals?: RecordSignals | null
}
