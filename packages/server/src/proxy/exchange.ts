import type { RequestTags } from './headers.js'

export type ProviderName = 'openai' | 'anthropic'

/**
 * Everything the proxy keeps about one call while it streams, read only after the response has ended.
 * The hot path only pushes Buffer references and reads the clock: no copying, no parsing.
 */
export interface Exchange {
  provider: ProviderName
  method: string
  /** Upstream path after the provider prefix, e.g. `/v1/chat/completions` (no query). */
  path: string
  tags: RequestTags
  /** Wall-clock start (ms since epoch) and monotonic marks (ms, `performance.now()`). */
  startedAt: number
  t0: number
  firstByteAt: number | null
  endedAt: number | null
  requestBody: Buffer
  status: number | null
  contentType: string
  encoding: string
  chunks: Buffer[]
  capturedBytes: number
  /** The response was larger than the capture bound; the client still got all of it. */
  truncated: boolean
  /** How the exchange ended when it did not end normally. */
  failure: { type: string; message: string } | null
}

export function newExchange(
  provider: ProviderName,
  method: string,
  path: string,
  tags: RequestTags,
  t0: number,
): Exchange {
  return {
    provider,
    method,
    path,
    tags,
    startedAt: Date.now(),
    t0,
    firstByteAt: null,
    endedAt: null,
    requestBody: EMPTY,
    status: null,
    contentType: '',
    encoding: '',
    chunks: [],
    capturedBytes: 0,
    truncated: false,
    failure: null,
  }
}

const EMPTY = Buffer.alloc(0)
