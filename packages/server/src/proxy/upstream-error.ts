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
  const text = providerErrorBody(provider, type, message)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** The body of a provider-shaped error, as JSON text. */
export function providerErrorBody(provider: ProviderName | null, type: string, message: string): string {
  return JSON.stringify(
    provider === 'anthropic'
      ? { type: 'error', error: { type, message } }
      : { error: { message, type, param: null, code: null } },
  )
}
