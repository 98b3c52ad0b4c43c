import { describe, expect, it } from 'vitest'
import { forwardRequestHeaders, readTags } from './headers.js'
import { parseSse } from './sse-parse.js'

describe('parseSse', () => {
  it('reads named events, joined data lines, CRLF, comments and a cut tail', () => {
    const text = ': keep-alive\r\nevent: ping\r\ndata: {"a":1}\r\n\r\ndata: line1\ndata:line2\n\ndata: {"half'
    expect(parseSse(text)).toEqual([
      { event: 'ping', data: '{"a":1}' },
      { event: 'message', data: 'line1\nline2' },
      { event: 'message', data: '{"half' },
    ])
  })
})

describe('headers', () => {
  it('drops hop-by-hop, Connection-named, content-length and x-promptledger-* headers, keeping case and repeats', () => {
    const raw = [
      'Host',
      'x',
      'Connection',
      'keep-alive, X-Hop',
      'X-Hop',
      '1',
      'Content-Length',
      '5',
      'Authorization',
      'Bearer k',
      'X-PromptLedger-Key',
      'secret',
      'x-promptledger-user',
      'u',
      'Accept',
      'a',
      'Accept',
      'b',
      'Transfer-Encoding',
      'chunked',
    ]
    expect(forwardRequestHeaders(raw)).toEqual(['Authorization', 'Bearer k', 'Accept', 'a', 'Accept', 'b'])
  })

  it('reads record tags', () => {
    expect(
      readTags({ 'x-promptledger-tags': ' a, ,b ', 'x-promptledger-skip': '1', 'x-promptledger-app': 'web' }),
    ).toEqual({
      userId: null,
      sessionId: null,
      app: 'web',
      tags: ['a', 'b'],
      skip: true,
    })
  })
})
