import type { Message } from '../record/schema.js'

/** The request body split into the record's request fields. */
export interface SplitRequest {
  model: string | null
  messages?: Message[]
  input?: unknown
  tools?: unknown[]
  params: Record<string, unknown>
}

/**
 * Splits a provider request body: `model`, the content keys and `tools` get their own fields, everything else
 * (temperature, max_tokens, stream, …) lands in `params`. One pass over the body's own keys, no copies of content.
 */
export function splitRequest(
  body: unknown,
  contentKeys: readonly string[],
): SplitRequest & { content: Record<string, unknown> } {
  const out: SplitRequest & { content: Record<string, unknown> } = { model: null, params: {}, content: {} }
  if (!body || typeof body !== 'object') return out
  for (const key in body) {
    const value = (body as Record<string, unknown>)[key]
    if (key === 'model') out.model = typeof value === 'string' ? value : null
    else if (key === 'tools') out.tools = Array.isArray(value) ? value : undefined
    else if (contentKeys.includes(key)) out.content[key] = value
    else if (value !== undefined) out.params[key] = value
  }
  return out
}
