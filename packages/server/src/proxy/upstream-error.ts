import type { ServerResponse } from 'node:http'
import type { ProviderName } from './exchange.js'

/**
 * Writes an error the provider's own client understands: OpenAI's `{ error: { message, type, param, code } }` or
 * Anthropic's `{ type: 'error', error: { type, message } }`, so callers see the usual error classes.
 */
export function sendProviderError(
  res: ServerResponse,
  provider: ProviderName | null,
  status: number,
  type: string,
  message: string,
): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const body =
    provider === 'anthropic'
      ? { type: 'error', error: { type, message } }
      : { error: { message, type, param: null, code: null } }
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}
