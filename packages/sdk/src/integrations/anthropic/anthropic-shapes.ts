// The subset of Anthropic's wire types read here, declared locally so `@anthropic-ai/sdk` stays a type-free peer.

export interface AnthropicUsage {
  input_tokens?: number | null
  output_tokens?: number | null
  cache_creation_input_tokens?: number | null
  cache_read_input_tokens?: number | null
}

export interface ContentBlock {
  type?: string
  text?: string
  id?: string
  name?: string
  input?: unknown
}

export interface AnthropicMessage {
  id?: string
  model?: string
  content?: ContentBlock[]
  stop_reason?: string | null
  usage?: AnthropicUsage | null
}

export interface MessageStreamEvent {
  type?: string
  index?: number
  message?: AnthropicMessage
  content_block?: ContentBlock
  delta?: { type?: string; text?: string; partial_json?: string; thinking?: string; stop_reason?: string | null }
  usage?: AnthropicUsage | null
}
