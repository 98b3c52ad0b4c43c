import { createRedactor, type LedgerRecord, toRecord, type UnsealedRecord } from '@promptledger/sdk'
import { describe, expect, it } from 'vitest'
import { IngestService } from '../ingest/ingest-service.js'
import { openSqliteStorage } from '../storage/sqlite/sqlite-storage.js'
import { buildLogInput } from './build-log-input.js'
import { type Exchange, newExchange, packExchange, unpackExchange } from './exchange.js'
import { createRecordPreparer } from './record-prepare.js'
import { openRecordThread } from './record-thread.js'

const PII = 'Mail ana.lopez@example.com, card 4111 1111 1111 1111, call +1 415 555 0100.'

function exchange(response: string, contentType: string, status = 200): Exchange {
  const ex = newExchange(
    'openai',
    'POST',
    '/v1/chat/completions',
    { userId: 'user_42', sessionId: null, app: 'billing', tags: ['a'], skip: false },
    1000,
  )
  ex.requestBody = Buffer.from(
    JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: PII }], temperature: 0.2 }),
  )
  // Split in two chunks, as a socket would hand them over.
  const bytes = Buffer.from(response)
  ex.chunks = [bytes.subarray(0, 40), bytes.subarray(40)]
  ex.capturedBytes = bytes.length
  ex.status = status
  ex.contentType = contentType
  ex.firstByteAt = 1002
  ex.endedAt = 1010
  return ex
}

const JSON_REPLY = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: `Noted: ${PII}` }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 30, completion_tokens: 20, total_tokens: 50 },
})
const chunk = (delta: object, finish: string | null) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
const SSE_REPLY = `${chunk({ role: 'assistant', content: 'Card ' }, null)}${chunk({ content: '4111 1111 1111 1111' }, null)}${chunk({}, 'stop')}data: [DONE]\n\n`
const ERROR_REPLY = JSON.stringify({ error: { message: `bad key for ${PII}`, type: 'invalid_request_error' } })

/** Seals and stores one record through the collector's real ingest path; returns what was stored. */
async function ingestOne(record: UnsealedRecord, serverRedacted = false): Promise<LedgerRecord> {
  const storage = openSqliteStorage({ path: ':memory:' })
  const ingest = new IngestService({ storage, stream: 'collector-test', redactor: createRedactor() })
  const stored: LedgerRecord[] = []
  ingest.on('records', (batch) => stored.push(...batch))
  await ingest.ingest([record], { serverRedacted })
  await storage.close()
  return stored[0]!
}

describe('records prepared off the serving thread', () => {
  const cases = [
    ['JSON', exchange(JSON_REPLY, 'application/json')],
    ['SSE', exchange(SSE_REPLY, 'text/event-stream')],
    ['an upstream error', exchange(ERROR_REPLY, 'application/json', 400)],
  ] as const
  for (const [name, ex] of cases) {
    it(`stores ${name} exactly as in-thread ingest would`, async () => {
      const prepared = await createRecordPreparer({ redact: true }).prepare(ex)
      expect(prepared.redacted).toBe(true)
      expect(JSON.stringify(prepared)).not.toContain('ana.lopez@example.com')
      // The record the collector built before: from the same exchange, redacted and given signals by ingest.
      const inThread = toRecord(await buildLogInput(ex), {
        id: prepared.id,
        loggedAt: 0,
        hmacKey: null,
        redacted: false,
      })
      // The proxy hands its records over as `serverRedacted`: ingest skips its own pass over them.
      const [a, b] = [await ingestOne(inThread), await ingestOne(prepared, true)]
      expect(b).toEqual(a)
      expect(Object.keys(b.redactions).length).toBeGreaterThan(0)
    })
  }

  it('packs an exchange into one transferable buffer and back', () => {
    const ex = exchange(JSON_REPLY, 'application/json')
    const packed = packExchange(ex)
    expect(packed.bytes.byteLength).toBe(ex.requestBody.length + ex.capturedBytes)
    const back = unpackExchange(structuredClone(packed, { transfer: [packed.bytes] }))
    expect(back.requestBody.equals(ex.requestBody)).toBe(true)
    expect(Buffer.concat(back.chunks).toString()).toBe(JSON_REPLY)
    expect({ ...back, requestBody: null, chunks: null }).toEqual({ ...ex, requestBody: null, chunks: null })
  })

  it('hands back every submitted exchange, in order, before close resolves', async () => {
    const got: UnsealedRecord[] = []
    const failures: string[] = []
    const thread = openRecordThread({
      prepare: { redact: true },
      // Longer than the test: only the flush on close can hand the records back.
      maxDelayMs: 60_000,
      maxBatch: 512,
      onRecords: (records) => got.push(...records),
      onFailed: (_n, message) => failures.push(message),
    })
    const statuses = [200, 400, 200, 500, 200]
    for (const s of statuses) thread.submit(exchange(s === 200 ? JSON_REPLY : ERROR_REPLY, 'application/json', s))
    // A stream without usage: its tokens are counted in the worker (by the tokenizer's own thread).
    thread.submit(exchange(SSE_REPLY, 'text/event-stream'))
    await thread.close()
    expect(failures).toEqual([])
    expect(got.map((r) => r.error?.http_status ?? 200)).toEqual([...statuses, 200])
    expect(got[5]?.usage).toMatchObject({ estimated: true })
    expect(got[5]?.usage?.output_tokens).toBeGreaterThan(0)
    expect(got.every((r) => r.redacted && !JSON.stringify(r).includes('4111 1111 1111 1111'))).toBe(true)
  })
})
