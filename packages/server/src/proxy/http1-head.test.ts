import { describe, expect, it } from 'vitest'
import { INCOMPLETE, NOT_OURS, parseRequestHead, parseResponseHead } from './http1-head.js'

const METHODS = new Set(['GET', 'POST'])
const PREFIXES = ['/proxy/openai/v1/']
const parse = (text: string) => parseRequestHead(Buffer.from(text, 'latin1'), METHODS, PREFIXES)
const req = (...lines: string[]) => `${['POST /proxy/openai/v1/chat HTTP/1.1', ...lines].join('\r\n')}\r\n\r\n`

describe('parseRequestHead', () => {
  it('parses a plain proxied request, keeping names as sent and trimming OWS', () => {
    const head = parse(
      `${req('Host: x', 'Content-Length: 12', 'X-PromptLedger-User:  u1 ', 'Connection: keep-alive, X-Foo')}{"a":1}`,
    )
    expect(head).toMatchObject({
      method: 'POST',
      target: '/proxy/openai/v1/chat',
      headers: ['Host', 'x', 'Content-Length', '12', 'X-PromptLedger-User', 'u1', 'Connection', 'keep-alive, X-Foo'],
      contentLength: 12,
      close: false,
      named: ['x-foo'],
    })
    expect(parse(req('Host: x', 'Connection: close'))).toMatchObject({ close: true, contentLength: 0 })
  })

  it('waits for the blank line', () => {
    expect(parse('POST /proxy/openai/v1/chat HTTP/1.1\r\nHost: x\r\n')).toBe(INCOMPLETE)
  })

  // Each of these is ambiguous or outside the subset: node:http judges it instead (request smuggling safety).
  it.each([
    ['Content-Length and Transfer-Encoding', req('Host: x', 'Content-Length: 5', 'Transfer-Encoding: chunked')],
    ['Transfer-Encoding alone', req('Host: x', 'Transfer-Encoding: chunked')],
    ['two Content-Length', req('Host: x', 'Content-Length: 5', 'Content-Length: 5')],
    ['a Content-Length that is not digits', req('Host: x', 'Content-Length: +5')],
    ['a Content-Length list', req('Host: x', 'Content-Length: 5, 5')],
    ['obs-fold', req('Host: x', 'X-A: a', ' folded')],
    ['whitespace before the colon', req('Host: x', 'Content-Length : 5')],
    ['a bare LF inside a line', req('Host: x', 'X-A: a\nContent-Length: 5')],
    ['a bare CR inside a value', req('Host: x', 'X-A: a\rb')],
    ['a NUL in a value', req('Host: x', 'X-A: a\u0000b')],
    ['DEL in a value', req('Host: x', 'X-A: a\u007fb')],
    ['a non-token name', req('Host: x', 'X(A): a')],
    ['no Host', req('X-A: a')],
    ['two Host', req('Host: x', 'Host: y')],
    ['Expect', req('Host: x', 'Expect: 100-continue')],
    ['Upgrade', req('Host: x', 'Connection: upgrade', 'Upgrade: websocket')],
    ['HTTP/1.0', 'POST /proxy/openai/v1/chat HTTP/1.0\r\nHost: x\r\n\r\n'],
    ['another route', 'POST /v1/ingest HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['another method', 'OPTIONS /proxy/openai/v1/chat HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a space in the target', 'POST /proxy/openai/v1/a b HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a head over 16 KiB', req('Host: x', `X-A: ${'a'.repeat(17_000)}`)],
  ])('hands off a request with %s', (_name, text) => {
    expect(parse(text)).toBe(NOT_OURS)
  })
})

describe('parseResponseHead', () => {
  const res = (...lines: string[]) => Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1')

  it('keeps end-to-end and framing headers, drops hop-by-hop ones and what Connection names', () => {
    const r = parseResponseHead(
      res(
        'HTTP/1.1 200 OK',
        'Content-Type: text/event-stream',
        'Transfer-Encoding: chunked',
        'Connection: keep-alive, X-Hop',
        'Keep-Alive: timeout=5',
        'X-Hop: 1',
        'X-Request-Id: r1',
      ),
      'POST',
    )
    expect(r).toMatchObject({ status: 200, framing: 'chunked', contentType: 'text/event-stream', reusable: true })
    expect(r).toHaveProperty('keepAliveMs', 5000)
    expect((r as { head: string }).head).toBe(
      'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nX-Request-Id: r1\r\n',
    )
  })

  it('reads the framing: length, none, close', () => {
    expect(parseResponseHead(res('HTTP/1.1 429 Too Many', 'Content-Length: 7'), 'POST')).toMatchObject({
      status: 429,
      framing: 'length',
      contentLength: 7,
    })
    expect(parseResponseHead(res('HTTP/1.1 204 No Content'), 'POST')).toMatchObject({ framing: 'none' })
    expect(parseResponseHead(res('HTTP/1.1 200 OK', 'Content-Length: 7'), 'HEAD')).toMatchObject({ framing: 'none' })
    expect(parseResponseHead(res('HTTP/1.1 200 OK'), 'POST')).toMatchObject({ framing: 'close', reusable: false })
    expect(parseResponseHead(res('HTTP/1.1 200 OK', 'Content-Length: 1', 'Connection: close'), 'GET')).toMatchObject({
      reusable: false,
    })
  })

  it.each([
    ['Content-Length with Transfer-Encoding', ['Content-Length: 5', 'Transfer-Encoding: chunked']],
    ['two different Content-Length', ['Content-Length: 5', 'Content-Length: 6']],
    ['a coding other than chunked', ['Transfer-Encoding: gzip, chunked']],
    ['obs-fold', ['X-A: a', ' b']],
  ])('refuses a response with %s', (_name, lines) => {
    expect(typeof parseResponseHead(res('HTTP/1.1 200 OK', ...lines), 'POST')).toBe('string')
  })
})
