// The subset of the OpenAI wire types read here, declared locally so `openai` stays a type-free, optional peer.

export interface OpenAIUsage {
  prompt_tokens?: number
  completion_tokens?: number
  prompt_tokens_details?: { cached_tokens?: number | null } | null
  completion_tokens_details?: { reasoning_tokens?: number | null } | null
}

export interface OpenAIToolCall {
  index?: number
  id?: string | null
  type?: string | null
  function?: { name?: string | null; arguments?: string | null } | null
}

export interface ChatMessageOut {
  role?: string
  content?: string | null
  refusal?: string | null
  tool_calls?: OpenAIToolCall[] | null
}

export interface ChatCompletion {
  id?: string
  model?: string
  choices?: Array<{ index?: number; message?: ChatMessageOut; finish_reason?: string | null }>
  usage?: OpenAIUsage | null
}

export interface ChatCompletionChunk {
  id?: string
  model?: string
  choices?: Array<{ index?: number; delta?: ChatMessageOut | null; finish_reason?: string | null }>
  usage?: OpenAIUsage | null
}

export interface ResponsesUsage {
  input_tokens?: number
  output_tokens?: number
  input_tokens_details?: { cached_tokens?: number | null } | null
  output_tokens_details?: { reasoning_tokens?: number | null } | null
}

export interface ResponseItem {
  type?: string
  role?: string
  content?: Array<{ type?: string; text?: string }> | null
  call_id?: string
  id?: string
  name?: string
  arguments?: string
}

export interface ResponseObject {
  id?: string
  model?: string
  status?: string
  output?: ResponseItem[]
  usage?: ResponsesUsage | null
  error?: { code?: string; message?: string } | null
  incomplete_details?: { reason?: string } | null
}

export interface ResponseStreamEvent {
  type?: string
  delta?: string
  response?: ResponseObject
  code?: string | null
  message?: string
}

export interface EmbeddingResponse {
  model?: string
  data?: Array<{ embedding?: ArrayLike<number> | string }>
  usage?: { prompt_tokens?: number }
}
