import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Receiver } from '../../../../../test-support/fake-upstreams/fake-otlp.js'
import { createLedger } from '../../ledger.js'
import type { LedgerRecord, UnsealedRecord } from '../../record/schema.js'
import { Chain, genesis } from '../../seal/chain.js'
import { unsealedRecord } from '../../test-support/records.js'
import { withRetry } from '../http/retry-exporter.js'
import { createOtlpExporter } from './otlp-exporter.js'
import type { AnyValue, OtlpSpan } from './otlp-json.js'

/** A span's attributes as a plain object of their OTLP values. */
function attrs(span: OtlpSpan): Record<string, AnyValue> {
  return Object.fromEntries(span.attributes.map((a) => [a.key, a.value]))
}

function sealed(...records: Array<Partial<UnsealedRecord>>): LedgerRecord[] {
  const chain = new Chain(genesis('otlp'))
  return records.map((r) => chain.seal(unsealedRecord(r)))
}

const chatCall: Partial<UnsealedRecord> = {
  ts: '2025-01-02T03:04:05.123Z',
  end_ts: '2025-01-02T03:04:06.5Z',
  latency_ms: 1377,
  ttft_ms: 210.5,
  request: {
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'Where is <EMAIL_ADDRESS>?' }],
    params: { temperature: 1, max_tokens: 100 },
  },
  response: { model: 'gpt-4o-2024-08-06', id: 'chatcmpl-1', output: 'At home.', finish_reasons: ['stop'] },
  usage: { input_tokens: 12, output_tokens: 3 },
  cost_usd: 0.000165,
  user_id: 'user_1',
  session_id: 'chat_9',
  app: 'support-bot',
  environment: 'prod',
  tags: ['beta', 'eu'],
  redactions: { EMAIL_ADDRESS: 1 },
}

let receiver: Receiver<OtlpSpan>
let dir: string
beforeEach(async () => {
  receiver = new Receiver<OtlpSpan>()
  await receiver.listen()
  dir = mkdtempSync(join(tmpdir(), 'pl-otlp-'))
})
afterEach(async () => {
  await receiver.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('createOtlpExporter', () => {
  it('posts a batch as OTLP JSON to /v1/traces: one GenAI client span per record', async () => {
    const exporter = createOtlpExporter({
      endpoint: receiver.url,
      headers: { 'x-api-key': 'k-secret', 'Content-Type': 'application/x-protobuf' },
    })
    const [call, other] = sealed(chatCall, { operation: 'embeddings', request: { model: 'text-embedding-3-small' } })
    expect(await exporter.export([call!, other!])).toEqual({ ok: true })
    await exporter.shutdown()

    const [{ path, headers, body }] = receiver.received as [Received]
    expect(path).toBe('/v1/traces')
    expect(headers['content-type']).toBe('application/json')
    expect(headers['x-api-key']).toBe('k-secret')
    expect(body.resourceSpans).toHaveLength(1)
    expect(body.resourceSpans[0]!.resource.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'promptledger' } },
    ])
    const [span, embeddings] = receiver.spans() as [OtlpSpan, OtlpSpan]
    expect(span).toMatchObject({
      traceId: call!.id.replaceAll('-', ''),
      name: 'chat gpt-4o',
      kind: 3,
      startTimeUnixNano: '1735787045123000000',
      endTimeUnixNano: '1735787046500000000',
    })
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/)
    expect(span.status).toBeUndefined()
    expect(attrs(span)).toEqual({
      'gen_ai.operation.name': { stringValue: 'chat' },
      'gen_ai.provider.name': { stringValue: 'openai' },
      'gen_ai.request.model': { stringValue: 'gpt-4o' },
      'gen_ai.request.temperature': { doubleValue: 1 },
      'gen_ai.request.max_tokens': { intValue: '100' },
      'gen_ai.response.model': { stringValue: 'gpt-4o-2024-08-06' },
      'gen_ai.response.id': { stringValue: 'chatcmpl-1' },
      'gen_ai.response.finish_reasons': { arrayValue: { values: [{ stringValue: 'stop' }] } },
      'gen_ai.usage.input_tokens': { intValue: '12' },
      'gen_ai.usage.output_tokens': { intValue: '3' },
      'gen_ai.conversation.id': { stringValue: 'chat_9' },
      'promptledger.record.id': { stringValue: call!.id },
      'promptledger.operation': { stringValue: 'chat' },
      'promptledger.stream': { stringValue: 'otlp' },
      'promptledger.seq': { intValue: String(call!.seq) },
      'promptledger.hash': { stringValue: call!.hash },
      'promptledger.cost_usd': { doubleValue: 0.000165 },
      'promptledger.latency_ms': { doubleValue: 1377 },
      'promptledger.ttft_ms': { doubleValue: 210.5 },
      'promptledger.user_id': { stringValue: 'user_1' },
      'promptledger.session_id': { stringValue: 'chat_9' },
      'promptledger.app': { stringValue: 'support-bot' },
      'promptledger.environment': { stringValue: 'prod' },
      'promptledger.redacted': { boolValue: true },
      'promptledger.encrypted': { boolValue: false },
      'promptledger.tags': { arrayValue: { values: [{ stringValue: 'beta' }, { stringValue: 'eu' }] } },
      'promptledger.redactions.EMAIL_ADDRESS': { intValue: '1' },
    })
    expect(embeddings.name).toBe('embeddings text-embedding-3-small')
    expect(attrs(embeddings)['gen_ai.response.model']).toBeUndefined() // absent, not null
  })

  it("keeps a record's valid trace context and derives stable ids from the record id otherwise", async () => {
    const exporter = createOtlpExporter({ endpoint: receiver.url, serviceName: 'checkout' })
    const [linked, invalid, plain] = sealed(
      { trace_id: '4BF92F3577B34DA6A3CE929D0E0E4736', span_id: '00f067aa0ba902b7', parent_span_id: '53995c3f42cd8ad8' },
      { trace_id: 'abc', span_id: '0000000000000000', parent_span_id: '53995c3f42cd8ad8' },
      {},
    )
    await exporter.export([linked!, invalid!, plain!])
    await exporter.export([plain!, invalid!])
    await exporter.shutdown()
    const [a, b, c, again, invalidAgain] = receiver.spans() as OtlpSpan[]
    expect(a).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      parentSpanId: '53995c3f42cd8ad8',
    })
    expect(b!.traceId).toBe(invalid!.id.replaceAll('-', ''))
    expect(b!.spanId).toMatch(/^[0-9a-f]{16}$/)
    expect(b!.parentSpanId).toBeUndefined() // its trace is not known, so neither is its parent
    expect([again!.traceId, again!.spanId]).toEqual([c!.traceId, c!.spanId])
    expect([invalidAgain!.traceId, invalidAgain!.spanId]).toEqual([b!.traceId, b!.spanId])
    expect(new Set([a!.spanId, b!.spanId, c!.spanId]).size).toBe(3)
    expect(receiver.received[0]!.body.resourceSpans[0]!.resource.attributes[0]!.value).toEqual({
      stringValue: 'checkout',
    })
  })

  it('exports prompt and output only with content: true, as GenAI input and output messages', async () => {
    const [record] = sealed(chatCall)
    const quiet = createOtlpExporter({ endpoint: receiver.url })
    const loud = createOtlpExporter({ endpoint: receiver.url, content: true })
    await quiet.export([record!])
    await loud.export([record!])
    await quiet.shutdown()
    await loud.shutdown()
    const [off, on] = receiver.spans() as [OtlpSpan, OtlpSpan]
    expect(JSON.stringify(off)).not.toContain('At home')
    expect(JSON.stringify(off)).not.toContain('EMAIL_ADDRESS>?')
    const a = attrs(on)
    expect(JSON.parse((a['gen_ai.input.messages'] as { stringValue: string }).stringValue)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Where is <EMAIL_ADDRESS>?' }] },
    ])
    expect(JSON.parse((a['gen_ai.output.messages'] as { stringValue: string }).stringValue)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'At home.' }], finish_reason: 'stop' },
    ])
  })

  it('never exports the content of an encrypted record, whatever the option', async () => {
    const enc = { alg: 'aes-256-ctr-hmac-sha256', key_id: 'k1', subject: 'user:u', iv: 'aa', tag: 'bb', ct: 'cc' }
    const [record] = sealed({
      ...chatCall,
      enc: enc as UnsealedRecord['enc'],
      status: 'error',
      error: { type: 'rate_limit_error', message: '[encrypted]', http_status: 429 },
    })
    const exporter = createOtlpExporter({ endpoint: receiver.url, content: true })
    await exporter.export([record!])
    await exporter.shutdown()
    const [span] = receiver.spans() as [OtlpSpan]
    const a = attrs(span)
    expect(a['gen_ai.input.messages']).toBeUndefined()
    expect(a['gen_ai.output.messages']).toBeUndefined()
    expect(a['promptledger.encrypted']).toEqual({ boolValue: true })
    expect(JSON.stringify(span)).not.toContain('At home')
    // The placeholder says nothing: the status carries the error's type instead.
    expect(span.status).toEqual({ code: 2, message: 'rate_limit_error' })
  })

  it('gives an error record the status ERROR with its message, and error.type', async () => {
    const [record] = sealed({
      status: 'error',
      error: { type: 'invalid_request_error', message: 'model not found', http_status: 404 },
    })
    const exporter = createOtlpExporter({ endpoint: receiver.url })
    await exporter.export([record!])
    await exporter.shutdown()
    const [span] = receiver.spans() as [OtlpSpan]
    expect(span.status).toEqual({ code: 2, message: 'model not found' })
    expect(attrs(span)['error.type']).toEqual({ stringValue: 'invalid_request_error' })
    expect(attrs(span)['promptledger.error.http_status']).toEqual({ intValue: '404' })
  })
})

describe('OtlpExporter delivery', () => {
  it('classifies 503 and 429 as retryable, 400 as final, naming the status but never a header value', async () => {
    const exporter = createOtlpExporter({ endpoint: receiver.url, headers: { authorization: 'Bearer sk-live-123' } })
    receiver.answers.push(
      { status: 503, headers: { 'retry-after': '2' } },
      { status: 400, body: JSON.stringify({ code: 3, message: 'bad token Bearer sk-live-123 (sk-live-123)' }) },
      { status: 429 },
    )
    const busy = await exporter.export(sealed({}))
    expect(busy).toMatchObject({ ok: false, retryable: true, error: { status: 503, retryAfterMs: 2000 } })
    const bad = await exporter.export(sealed({}))
    expect(bad).toMatchObject({ ok: false, retryable: false, error: { status: 400 } })
    if (!bad.ok) {
      expect(bad.error.message).toContain('400')
      expect(bad.error.message).toContain('bad token')
      expect(bad.error.message).not.toContain('sk-live-123')
    }
    expect(await exporter.export(sealed({}))).toMatchObject({ ok: false, retryable: true })
    await exporter.shutdown()
  })

  it('treats a refused connection and a timeout as retryable', async () => {
    receiver.answers.push('hang')
    const slow = createOtlpExporter({ endpoint: receiver.url, timeoutMs: 100 })
    expect(await slow.export(sealed({}))).toMatchObject({ ok: false, retryable: true, error: { status: null } })
    await receiver.close()
    const down = createOtlpExporter({ endpoint: receiver.url })
    const refused = await down.export(sealed({}))
    expect(refused).toMatchObject({ ok: false, retryable: true, error: { status: null } })
    if (!refused.ok) expect(refused.error.message).toContain('ECONNREFUSED')
    await slow.shutdown()
    await down.shutdown()
  })

  it('counts a partial success as delivered and reports the rejected spans', async () => {
    const rejected: Array<[number, string]> = []
    const exporter = createOtlpExporter({ endpoint: receiver.url, onRejected: (n, m) => rejected.push([n, m]) })
    receiver.answers.push({
      status: 200,
      body: JSON.stringify({ partialSuccess: { rejectedSpans: '1', errorMessage: 'span too large' } }),
    })
    expect(await exporter.export(sealed({}, {}))).toEqual({ ok: true })
    expect(rejected).toEqual([[1, 'span too large']])
    await exporter.shutdown()
    const throwing = createOtlpExporter({
      endpoint: receiver.url,
      onRejected: () => {
        throw new Error('listener bug')
      },
    })
    receiver.answers.push({ status: 200, body: JSON.stringify({ partialSuccess: { rejectedSpans: '2' } }) })
    // Final, not retryable: the spans were delivered, and resending them would duplicate the accepted ones.
    expect(await throwing.export(sealed({}, {}))).toMatchObject({ ok: false, retryable: false })
    await throwing.shutdown()
  })

  it('is retried by withRetry like any exporter', async () => {
    const exporter = withRetry(createOtlpExporter({ endpoint: receiver.url }), { baseDelayMs: 1 })
    receiver.answers.push({ status: 502 }, { status: 200 })
    expect(await exporter.export(sealed({}))).toEqual({ ok: true })
    expect(receiver.received).toHaveLength(2)
    await exporter.shutdown()
  })

  it('fails every export after shutdown with CLOSED', async () => {
    const exporter = createOtlpExporter({ endpoint: receiver.url })
    await exporter.shutdown()
    await exporter.shutdown()
    const result = await exporter.export(sealed({}))
    expect(result).toMatchObject({ ok: false, retryable: false, error: { code: 'CLOSED' } })
    expect(receiver.received).toHaveLength(0)
  })

  it('takes a base URL with a path, or the full traces URL, and refuses what is not http', async () => {
    const prefixed = createOtlpExporter({ endpoint: `${receiver.url}/api/otel/` })
    const full = createOtlpExporter({ endpoint: `${receiver.url}/v1/traces` })
    await prefixed.export(sealed({}))
    await full.export(sealed({}))
    expect(receiver.received.map((r) => r.path)).toEqual(['/api/otel/v1/traces', '/v1/traces'])
    await prefixed.shutdown()
    await full.shutdown()
    expect(() => createOtlpExporter({ endpoint: 'grpc://127.0.0.1:4317' })).toThrow(/http/)
    expect(() => createOtlpExporter({ endpoint: '127.0.0.1:4318' })).toThrow(/URL|http/)
  })
})

describe('a ledger with the OTLP exporter', () => {
  it('delivers logged calls after flush() and close(), without content when records are encrypted', async () => {
    const ledger = createLedger({
      dir,
      stream: 'otlp',
      handleExit: false,
      exporters: [createOtlpExporter({ endpoint: receiver.url, content: true })],
    })
    const first = ledger.log({ prompt: 'my card is 4111 1111 1111 1111', response: 'noted', model: 'gpt-4o' })
    await ledger.flush()
    expect(receiver.spans().map((s) => attrs(s)['promptledger.record.id'])).toEqual([{ stringValue: first }])
    const second = ledger.log({ prompt: 'hi', response: 'hello', model: 'gpt-4o', userId: 'u-1', app: 'demo' })
    await ledger.close()
    const spans = receiver.spans()
    expect(spans.map((s) => attrs(s)['promptledger.record.id'])).toEqual([
      { stringValue: first },
      { stringValue: second },
    ])
    expect(attrs(spans[1]!)['promptledger.encrypted']).toEqual({ boolValue: true })
    expect(attrs(spans[1]!)['promptledger.app']).toEqual({ stringValue: 'demo' })
    // The card as written (with its spaces): a hash or id in hex may hold "4111" by chance.
    expect(JSON.stringify(receiver.received)).not.toMatch(/hello|4111 1111|gen_ai\.input\.messages/)
  })

  it('delivers the redacted prompt and output of clear records with content: true', async () => {
    const ledger = createLedger({
      dir,
      stream: 'otlp',
      handleExit: false,
      encrypt: false,
      exporters: [createOtlpExporter({ endpoint: receiver.url, content: true })],
    })
    ledger.log({ prompt: 'mail me at jane.doe@example.com', response: 'will do', model: 'gpt-4o' })
    await ledger.close()
    const [span] = receiver.spans() as [OtlpSpan]
    const input = (attrs(span)['gen_ai.input.messages'] as { stringValue: string }).stringValue
    expect(input).toContain('<EMAIL_ADDRESS>')
    expect(input).not.toContain('jane.doe@example.com')
    expect((attrs(span)['gen_ai.output.messages'] as { stringValue: string }).stringValue).toContain('will do')
  })
})
