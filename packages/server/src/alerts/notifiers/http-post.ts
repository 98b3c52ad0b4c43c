import { request } from 'undici'
import { ServerError } from '../../errors.js'

/**
 * POSTs JSON and fails on a non-2xx answer or after `timeoutMs`, whichever comes first: a receiver that
 * accepts the connection and never answers costs at most the timeout. The URL is never put in errors
 * (Slack-style URLs are secrets); the host is.
 */
export async function postJson(
  url: string,
  body: unknown,
  options: { timeoutMs: number; headers?: Record<string, string> },
): Promise<void> {
  const host = new URL(url).host
  let res: Awaited<ReturnType<typeof request>>
  try {
    res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'promptledger-alerts', ...options.headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    })
  } catch (cause) {
    // The error code (ECONNREFUSED, ENOTFOUND…) helps the operator and carries no secret.
    const code = (cause as { code?: unknown }).code ?? (cause as { cause?: { code?: unknown } }).cause?.code
    const reason =
      cause instanceof Error && cause.name === 'TimeoutError'
        ? `timed out after ${options.timeoutMs} ms`
        : `failed${typeof code === 'string' ? ` (${code})` : ''}`
    throw new ServerError('UPSTREAM_ERROR', `notification to ${host} ${reason}`, { cause })
  }
  // Drain so the connection returns to the pool.
  await res.body.dump().catch(() => undefined)
  if (res.statusCode < 200 || res.statusCode >= 300) {
    throw new ServerError('UPSTREAM_ERROR', `notification to ${host} answered HTTP ${res.statusCode}`)
  }
}
