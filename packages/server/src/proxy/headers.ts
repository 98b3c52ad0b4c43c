import type { IncomingHttpHeaders } from 'node:http'

/**
 * Headers that describe one hop, not the message (RFC 9110 §7.6.1), plus `host` which undici sets per upstream and
 * `expect`: Node answers a client's `Expect: 100-continue` itself, and the body is complete before it goes upstream
 * (undici refuses the header).
 */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'expect',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
])

/** Our own control headers: they tag the record and never leave the collector. */
export const OWN_PREFIX = 'x-promptledger-'

function connectionTokens(value: string | undefined): Set<string> | undefined {
  if (!value) return undefined
  return new Set(value.split(',').map((t) => t.trim().toLowerCase()))
}

/**
 * Turns Node's raw request headers into the flat `[name, value, …]` list undici takes, dropping hop-by-hop
 * headers, whatever `Connection` names, our `x-promptledger-*` headers and `content-length` (undici recomputes it
 * from the buffered body). Works on `rawHeaders` so names keep their case and repeated headers stay repeated.
 */
export function forwardRequestHeaders(rawHeaders: string[]): string[] {
  let named: Set<string> | undefined
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === 'connection') named = connectionTokens(rawHeaders[i + 1])
  }
  const out: string[] = []
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!
    const lower = name.toLowerCase()
    if (HOP_BY_HOP.has(lower) || lower === 'content-length' || lower.startsWith(OWN_PREFIX) || named?.has(lower))
      continue
    out.push(name, rawHeaders[i + 1]!)
  }
  return out
}

/**
 * Turns undici's raw response headers (Buffers) into the flat list `res.writeHead` takes, dropping hop-by-hop
 * headers (Node frames the body itself). Returns the content type and encoding too, for the capture.
 */
export function forwardResponseHeaders(raw: Buffer[]): { headers: string[]; contentType: string; encoding: string } {
  const headers: string[] = []
  let contentType = ''
  let encoding = ''
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1')
    const lower = name.toLowerCase()
    if (HOP_BY_HOP.has(lower)) continue
    const value = raw[i + 1]!.toString('latin1')
    if (lower === 'content-type') contentType = value
    else if (lower === 'content-encoding') encoding = value.toLowerCase()
    headers.push(name, value)
  }
  return { headers, contentType, encoding }
}

/** Record tags read from the request: `x-promptledger-user`, `-session`, `-app`, `-tags` (comma-separated). */
export interface RequestTags {
  userId: string | null
  sessionId: string | null
  app: string | null
  tags: string[]
  skip: boolean
}

function one(v: string | string[] | undefined): string | null {
  const s = Array.isArray(v) ? v[0] : v
  return s ? s : null
}

export function readTags(headers: IncomingHttpHeaders): RequestTags {
  const tags = one(headers['x-promptledger-tags'])
  return {
    userId: one(headers['x-promptledger-user']),
    sessionId: one(headers['x-promptledger-session']),
    app: one(headers['x-promptledger-app']),
    tags: tags
      ? tags
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean)
      : [],
    skip: one(headers['x-promptledger-skip']) === '1',
  }
}

/** What the record accepts for each tag (the record schema's limits): a longer one would fail the call's record. */
const MAX_TAG_TEXT = 1024
const MAX_TAGS = 64

/**
 * Why the request's tag headers cannot go into a record, naming the header, or null when they fit. Checked before
 * anything is forwarded: a call whose record would be refused is answered 400 instead of going unrecorded.
 */
export function tagsProblem(tags: RequestTags): string | null {
  const fields: Array<[string, string | null]> = [
    ['x-promptledger-user', tags.userId],
    ['x-promptledger-session', tags.sessionId],
    ['x-promptledger-app', tags.app],
  ]
  for (const [header, value] of fields) {
    if (value !== null && value.length > MAX_TAG_TEXT) return `${header}: at most ${MAX_TAG_TEXT} characters`
  }
  if (tags.tags.length > MAX_TAGS) return `x-promptledger-tags: at most ${MAX_TAGS} tags`
  if (tags.tags.some((t) => t.length > MAX_TAG_TEXT))
    return `x-promptledger-tags: each tag at most ${MAX_TAG_TEXT} characters`
  return null
}
