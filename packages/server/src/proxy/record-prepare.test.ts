import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import {
  batchEncryptStage,
  createRedactor,
  DataKeyStore,
  Encryptor,
  isCanonicalAsIs,
  type LedgerRecord,
  LocalKeyringProvider,
  toRecord,
  type UnsealedRecord,
} from '@promptledger/sdk'
import { describe, expect, it } from 'vitest'
import { IngestService } from '../ingest/ingest-service.js'
import { openSqliteStorage } from '../storage/sqlite/sqlite-storage.js'
import { spawnSibling } from '../worker-spawn.js'
import { buildLogInput } from './build-log-input.js'
import { type Exchange, newExchange, packExchange, unpackExchange } from './exchange.js'
import { createRecordPreparer } from './record-prepare.js'
import { openRecordThread } from './record-thread.js'
import type { RecordWorkerData } from './record-worker.js'

const PII = 'Mail ana.lopez@example.com, card 4111 1111 1111 1111, call +1 415 555 0100.'

function exchange(response: string, contentType: string, status = 200, anthropic = false): Exchange {
  const ex = newExchange(
    anthropic ? 'anthropic' : 'openai',
    'POST',
    anthropic ? '/v1/messages' : '/v1/chat/completions',
    { userId: 'user_42', sessionId: null, app: 'billing', tags: ['a'], skip: false },
    1000,
  )
  ex.requestBody = Buffer.from(
    JSON.stringify({
      model: anthropic ? 'claude-sonnet-4-5' : 'gpt-4o-mini',
      messages: [{ role: 'user', content: PII }],
      temperature: 0.2,
      ...(anthropic ? { max_tokens: 256 } : {}),
    }),
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
// Provider key order, not sorted, with tool calls whose arguments hold PII.
const TOOL_REPLY = JSON.stringify({
  id: 'chatcmpl-2',
  object: 'chat.completion',
  model: 'gpt-4o-mini',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'send_mail', arguments: JSON.stringify({ to: 'ana.lopez@example.com', body: PII }) },
          },
        ],
      },
      finish_reason: 'tool_calls',
    },
  ],
  usage: { total_tokens: 50, prompt_tokens: 30, completion_tokens: 20 },
})
const ANTHROPIC_REPLY = JSON.stringify({
  type: 'message',
  id: 'msg_1',
  role: 'assistant',
  model: 'claude-sonnet-4-5',
  content: [
    { type: 'text', text: `Noted: ${PII}` },
    {
      type: 'tool_use',
      id: 'toolu_1',
      name: 'lookup',
      input: { phone: '+1 415 555 0100', card: '4111 1111 1111 1111' },
    },
  ],
  stop_reason: 'tool_use',
  usage: { output_tokens: 20, input_tokens: 30, cache_read_input_tokens: 5 },
})
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
    ['tool calls', exchange(TOOL_REPLY, 'application/json')],
    ['an Anthropic message with tool use', exchange(ANTHROPIC_REPLY, 'application/json', 200, true)],
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

    it(`hands ${name} over with every key in canonical order, once encrypted too`, async () => {
      const prepared = await createRecordPreparer({ redact: true }).prepare(ex)
      // Several kinds of PII: the redaction pass finds them out of order (email before card).
      expect(Object.keys(prepared.redactions).length).toBeGreaterThan(1)
      expect(isCanonicalAsIs(prepared)).toBe(true)
      // As ingest goes on with it: the content encrypted in place, then the chain fields set in their slots.
      const dir = mkdtempSync(path.join(os.tmpdir(), 'pl-'))
      try {
        const keys = DataKeyStore.open({ dir, provider: LocalKeyringProvider.open({ dir }) })
        const encryptor = new Encryptor({ keys })
        // The record worker's way (keys resolved here, the batch stage there) on a second copy of the record.
        const again = await createRecordPreparer({ redact: true }).prepare(ex)
        const stage = batchEncryptStage('default')
        stage.begin(encryptor.batchKeys([again.user_id]))
        const inWorker = stage.stage.run(again) as UnsealedRecord
        encryptor.encryptRecord(prepared)
        for (const r of [prepared, inWorker]) {
          expect(r.enc).toBeTruthy()
          Object.assign(r, { stream: 'collector-test', seq: 1, prev_hash: '0'.repeat(64) })
          expect(isCanonicalAsIs(r)).toBe(true)
        }
        expect(encryptor.decryptRecord(inWorker as LedgerRecord).request).toEqual(
          encryptor.decryptRecord(prepared as LedgerRecord).request,
        )
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
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
    // The key order survives the trip between threads (the seal's native-stringify path depends on it).
    expect(got.every((r) => isCanonicalAsIs(r))).toBe(true)
  })
})

describe('a record worker that dies', () => {
  /** The real record worker, started as `openRecordThread` starts it. */
  const recordWorker = (data: RecordWorkerData): Worker =>
    spawnSibling(new URL('./record-thread.ts', import.meta.url).href, 'record-worker', data)
  /** A worker thread that exits with code 3 when the first group of exchanges reaches it, before answering. */
  const crashing = (): Worker =>
    new Worker("require('node:worker_threads').parentPort.on('message', () => process.exit(3))", { eval: true })

  it('reports what it held as failed, and the next exchanges go to a fresh worker', async () => {
    const got: UnsealedRecord[] = []
    const failures: Array<[number, string]> = []
    let spawned = 0
    const thread = openRecordThread({
      prepare: { redact: true },
      maxDelayMs: 60_000,
      maxBatch: 512,
      sendDelayMs: 1,
      onRecords: (records) => got.push(...records),
      onFailed: (n, message) => failures.push([n, message]),
      // The first worker crashes; the ones after it are the real record worker.
      spawn: (data) => (spawned++ === 0 ? crashing() : recordWorker(data)),
    })
    for (let i = 0; i < 3; i++) thread.submit(exchange(JSON_REPLY, 'application/json'))
    // A flush waiting on the lost worker resolves when it dies: nothing is left that could still come back.
    await thread.flush()
    expect(failures).toEqual([[3, 'the record worker exited with code 3']])
    expect(got).toEqual([])
    // Submitted after the loss: held until the restart pause (1 s) is over, then built by a new worker.
    thread.submit(exchange(JSON_REPLY, 'application/json'))
    thread.submit(exchange(SSE_REPLY, 'text/event-stream'))
    await thread.close()
    expect(spawned).toBe(2)
    expect(failures).toHaveLength(1)
    expect(got).toHaveLength(2)
    expect(got.every((r) => r.redacted && !JSON.stringify(r).includes('4111 1111 1111 1111'))).toBe(true)
  })

  it('accounts for every exchange when the real worker is stopped mid-batch: each comes back or is reported failed, once', async () => {
    const got: UnsealedRecord[] = []
    let failed = 0
    const workers: Worker[] = []
    const thread = openRecordThread({
      prepare: { redact: true },
      maxDelayMs: 60_000,
      maxBatch: 512,
      onRecords: (records) => got.push(...records),
      onFailed: (n) => {
        failed += n
      },
      spawn: (data) => {
        const w = recordWorker(data)
        workers.push(w)
        return w
      },
    })
    // 64 exchanges fill one group, which is posted at once; the worker is stopped while it builds them.
    for (let i = 0; i < 64; i++) thread.submit(exchange(SSE_REPLY, 'text/event-stream'))
    expect(workers).toHaveLength(1)
    await workers[0]!.terminate()
    await thread.flush()
    expect(got.length + failed).toBe(64)
    expect(failed).toBeGreaterThan(0)
    const before = got.length
    thread.submit(exchange(JSON_REPLY, 'application/json'))
    await thread.close()
    expect(workers).toHaveLength(2)
    expect(got.length + failed).toBe(65)
    expect(got.length).toBe(before + 1)
  })
})
