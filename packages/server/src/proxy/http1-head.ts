/**
 * Strict HTTP/1.1 head parsing for the socket forwarder (hand-written for the hot path).
 *
 * Security property: the forwarder writes request bytes to a kept-alive upstream connection, so a request whose
 * length two parsers could read differently would let a client smuggle a second request onto a connection other
 * clients' calls use. The request parser therefore accepts only an unambiguous subset (RFC 9112): one request line
 * `METHOD SP origin-form SP HTTP/1.1`, CRLF line ends only, header names of tchars with the colon right after, values
 * of HTAB / SP / VCHAR / obs-text, exactly one `Host`, at most one `Content-Length` of digits, and no
 * `Transfer-Encoding`, `Expect`, `Upgrade` or obs-fold. Anything else is not judged here: the forwarder hands the
 * untouched bytes to node:http, whose own strict parser answers it (400, 413, 431 …). The response parser is as
 * strict about framing, so a confused upstream is an error, never a desynchronised pooled connection.
 */

/** Longest request head taken; a longer one is node:http's to answer (its default limit is 16 KiB). */
const MAX_HEAD = 16 * 1024

// RFC 9110 §5.6.2 tchar, as a lookup table.
const TCHAR = new Uint8Array(128)
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
  TCHAR[c.charCodeAt(0)] = 1

/** The request head as the forwarder needs it; header names keep their case, values are latin1 strings. */
export interface RequestHead {
  method: string
  target: string
  /** `[name, value, name, value, …]` in arrival order. */
  headers: string[]
  contentLength: number
  /** The client asked to close after this exchange (`Connection: close`). */
  close: boolean
  /** Header names (lower case) listed in `Connection`, to be dropped along with it. */
  named: string[] | null
  /** Bytes taken by the head, through its blank line. */
  size: number
}

/** More bytes are needed before the head can be judged. */
export const INCOMPLETE = 0
/** Not in the strict subset: node:http decides (and answers) instead. */
export const NOT_OURS = 1

function validName(s: string, from: number, to: number): boolean {
  if (to <= from) return false
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c > 127 || TCHAR[c] === 0) return false
  }
  return true
}

/** Trims OWS (SP / HTAB) and checks the field value's characters; null when one is not allowed. */
function fieldValue(s: string, from: number, to: number): string | null {
  while (from < to && (s.charCodeAt(from) === 32 || s.charCodeAt(from) === 9)) from++
  while (to > from && (s.charCodeAt(to - 1) === 32 || s.charCodeAt(to - 1) === 9)) to--
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    // CTLs other than HTAB, and DEL: this rejects a bare CR or LF inside a line too.
    if ((c < 32 && c !== 9) || c === 127) return null
  }
  return s.slice(from, to)
}

function digits(v: string): number {
  if (v.length === 0 || v.length > 15) return -1
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i)
    if (c < 48 || c > 57) return -1
  }
  return Number(v)
}

/**
 * Parses one request head at the start of `buf`, for the methods in `methods` and targets starting with one of
 * `prefixes`. Returns the head, `INCOMPLETE`, or `NOT_OURS`.
 */
export function parseRequestHead(
  buf: Buffer,
  methods: ReadonlySet<string>,
  prefixes: readonly string[],
): RequestHead | typeof INCOMPLETE | typeof NOT_OURS {
  const end = buf.indexOf('\r\n\r\n')
  if (end < 0) return buf.length > MAX_HEAD ? NOT_OURS : INCOMPLETE
  if (end > MAX_HEAD) return NOT_OURS
  const s = buf.toString('latin1', 0, end + 2)
  let eol = s.indexOf('\r\n')
  const sp1 = s.indexOf(' ')
  if (sp1 <= 0 || sp1 > eol) return NOT_OURS
  const method = s.slice(0, sp1)
  if (!methods.has(method)) return NOT_OURS
  const sp2 = s.indexOf(' ', sp1 + 1)
  if (sp2 < 0 || sp2 > eol || eol - sp2 !== 9 || !s.startsWith('HTTP/1.1', sp2 + 1)) return NOT_OURS
  for (let i = sp1 + 1; i < sp2; i++) {
    const c = s.charCodeAt(i)
    if (c <= 32 || c >= 127) return NOT_OURS
  }
  const target = s.slice(sp1 + 1, sp2)
  if (!prefixes.some((p) => target.startsWith(p))) return NOT_OURS
  const headers: string[] = []
  let contentLength = -1
  let hosts = 0
  let close = false
  let named: string[] | null = null
  for (let at = eol + 2; at < s.length; at = eol + 2) {
    eol = s.indexOf('\r\n', at)
    const colon = s.indexOf(':', at)
    // No colon in the line, or a name with whitespace before the colon or a leading SP/HTAB (obs-fold).
    if (colon < 0 || colon > eol || !validName(s, at, colon)) return NOT_OURS
    const name = s.slice(at, colon)
    const value = fieldValue(s, colon + 1, eol)
    if (value === null) return NOT_OURS
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') hosts++
        break
      case 6:
        if (name.toLowerCase() === 'expect') return NOT_OURS
        break
      case 7:
        if (name.toLowerCase() === 'upgrade') return NOT_OURS
        break
      case 10:
        if (name.toLowerCase() === 'connection') {
          for (const t of value.split(',')) {
            const token = t.trim().toLowerCase()
            if (token === 'close') close = true
            else if (token === 'upgrade') return NOT_OURS
            else if (token !== '' && token !== 'keep-alive') {
              named ??= []
              named.push(token)
            }
          }
        }
        break
      case 14:
        if (name.toLowerCase() === 'content-length') {
          if (contentLength >= 0) return NOT_OURS
          contentLength = digits(value)
          if (contentLength < 0) return NOT_OURS
        }
        break
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') return NOT_OURS
        break
    }
    headers.push(name, value)
  }
  if (hosts !== 1) return NOT_OURS
  return { method, target, headers, contentLength: Math.max(0, contentLength), close, named, size: end + 4 }
}

/** How an upstream response's body ends. */
export type Framing = 'length' | 'chunked' | 'close' | 'none'

export interface ResponseHead {
  status: number
  /** The head to send the client: status line and end-to-end headers, framing headers kept (bytes pass verbatim). */
  head: string
  framing: Framing
  contentLength: number
  contentType: string
  encoding: string
  /** The upstream connection can carry another request after this response. */
  reusable: boolean
  /** The upstream's idle timeout hint (`Keep-Alive: timeout=N`), ms; 0 when not sent. */
  keepAliveMs: number
  size: number
}

/** Upstream response headers that describe the hop, not the message; framing headers are kept and passed on. */
const RESPONSE_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'te',
  'trailer',
  'upgrade',
])

/**
 * Parses an upstream response head at the start of `buf`. `head` ends with the client-side connection headers added
 * by the caller. Returns `INCOMPLETE`, or a string naming what is wrong (the upstream is then treated as failed).
 */
export function parseResponseHead(buf: Buffer, method: string): ResponseHead | typeof INCOMPLETE | string {
  const end = buf.indexOf('\r\n\r\n')
  if (end < 0) return buf.length > 64 * 1024 ? 'response head too large' : INCOMPLETE
  const s = buf.toString('latin1', 0, end + 2)
  let eol = s.indexOf('\r\n')
  const http11 = s.startsWith('HTTP/1.1 ')
  if (!http11 && !s.startsWith('HTTP/1.0 ')) return 'not an HTTP/1.x response'
  const status = digits(s.slice(9, 12))
  if (status < 100 || status > 599 || (eol > 12 && s.charCodeAt(12) !== 32)) return 'bad status line'
  let head = `HTTP/1.1 ${s.slice(9, eol)}\r\n`
  let contentLength = -1
  let chunked = false
  let close = !http11
  let keepAliveMs = 0
  let contentType = ''
  let encoding = ''
  let named: string[] | null = null
  const kept: string[] = []
  for (let at = eol + 2; at < s.length; at = eol + 2) {
    eol = s.indexOf('\r\n', at)
    const colon = s.indexOf(':', at)
    if (colon < 0 || colon > eol || !validName(s, at, colon)) return 'bad header line'
    const name = s.slice(at, colon)
    const value = fieldValue(s, colon + 1, eol)
    if (value === null) return 'bad header value'
    const lower = name.toLowerCase()
    if (lower === 'content-length') {
      const n = digits(value)
      if (n < 0 || (contentLength >= 0 && n !== contentLength)) return 'bad content-length'
      contentLength = n
    } else if (lower === 'transfer-encoding') {
      if (chunked || value.toLowerCase() !== 'chunked') return `unsupported transfer-encoding ${value}`
      chunked = true
    } else if (lower === 'connection') {
      for (const t of value.split(',')) {
        const token = t.trim().toLowerCase()
        if (token === 'close') close = true
        else if (token === 'keep-alive' && !http11) close = false
        else if (token !== '') {
          named ??= []
          named.push(token)
        }
      }
    } else if (lower === 'keep-alive') {
      const m = /timeout=(\d+)/i.exec(value)
      if (m) keepAliveMs = Number(m[1]) * 1000
    } else if (lower === 'content-type') contentType = value
    else if (lower === 'content-encoding') encoding = value.toLowerCase()
    if (RESPONSE_HOP.has(lower)) continue
    kept.push(lower, `${name}: ${value}\r\n`)
  }
  if (chunked && contentLength >= 0) return 'both content-length and transfer-encoding'
  for (let i = 0; i < kept.length; i += 2) if (!named?.includes(kept[i]!)) head += kept[i + 1]!
  const bodiless = method === 'HEAD' || status < 200 || status === 204 || status === 304
  const framing: Framing = bodiless ? 'none' : chunked ? 'chunked' : contentLength >= 0 ? 'length' : 'close'
  return {
    status,
    head,
    framing,
    contentLength: Math.max(0, contentLength),
    contentType,
    encoding,
    reusable: !close && framing !== 'close',
    keepAliveMs,
    size: end + 4,
  }
}
