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
  /**
   * For an uncompressed event stream: when the first event that carries output arrived (text, a tool call, a thinking
   * delta). Streams open with events that carry none (OpenAI's role-only chunk, Anthropic's `message_start`), so the
   * first byte is not the first token.
   */
  firstTokenAt: number | null
  endedAt: number | null
  requestBody: Buffer
  status: number | null
  contentType: string
  encoding: string
  chunks: Buffer[]
  /** The captured bytes still carry chunked transfer framing (the socket forwarder passes it through untouched). */
  chunked: boolean
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
    firstTokenAt: null,
    endedAt: null,
    requestBody: EMPTY,
    status: null,
    contentType: '',
    encoding: '',
    chunks: [],
    chunked: false,
    capturedBytes: 0,
    truncated: false,
    failure: null,
  }
}

const EMPTY = Buffer.alloc(0)

/** An exchange as it crosses to another thread: its fields, with the request and captured response in one buffer. */
export interface PackedExchange {
  fields: Omit<Exchange, 'requestBody' | 'chunks'>
  /** Request body bytes, then the captured response bytes. */
  bytes: ArrayBuffer
  requestLength: number
}

/**
 * Copies the exchange's bytes into one fresh ArrayBuffer, to be transferred (not cloned) to a worker. The chunks are
 * views into buffers the HTTP stack reuses or pools, and cloning a view clones its whole backing store.
 */
export function packExchange(ex: Exchange): PackedExchange {
  const { requestBody, chunks, ...fields } = ex
  const bytes = new ArrayBuffer(requestBody.length + ex.capturedBytes)
  const view = new Uint8Array(bytes)
  view.set(requestBody, 0)
  let at = requestBody.length
  for (const c of chunks) {
    view.set(c, at)
    at += c.length
  }
  return { fields, bytes, requestLength: requestBody.length }
}

export function unpackExchange(packed: PackedExchange): Exchange {
  const all = Buffer.from(packed.bytes)
  const response = all.subarray(packed.requestLength)
  return {
    ...packed.fields,
    requestBody: all.subarray(0, packed.requestLength),
    chunks: response.length > 0 ? [response] : [],
  }
}

// What an event carrying output holds, as bytes: a non-empty `"content":"` or `"text":"` string (OpenAI chat and
// completions deltas), a tool call delta, Anthropic's `content_block_delta`, the Responses API's output deltas.
const TOKEN_MARKS = ['"content":"', '"text":"', '"tool_calls":[', 'content_block_delta', 'output_text.delta'].map((m) =>
  Buffer.from(m),
)
const QUOTE = 34

/**
 * Notes the arrival of the first output-bearing event of an uncompressed SSE response: called on each captured chunk
 * until it finds one (a few `indexOf` per chunk, for the first few chunks only). A mark split across two chunks is
 * found in the second, a read later.
 */
export function noteFirstToken(ex: Exchange, chunk: Buffer, now: number): void {
  if (ex.firstTokenAt !== null || ex.encoding !== '' || !ex.contentType.startsWith('text/event-stream')) return
  for (let k = 0; k < TOKEN_MARKS.length; k++) {
    const mark = TOKEN_MARKS[k]!
    for (let at = chunk.indexOf(mark); at !== -1; at = chunk.indexOf(mark, at + mark.length)) {
      // An empty string (`"content":""`) carries nothing; the marks of k ≥ 2 are output by themselves.
      if (k >= 2 || chunk[at + mark.length] !== QUOTE) {
        ex.firstTokenAt = now
        return
      }
    }
  }
}
