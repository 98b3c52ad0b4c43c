import { ChainVerifier } from '@promptledger/sdk'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { unsealed } from '../test-support/records.js'
import { postRecords, type TestApp, testApp } from '../test-support/test-app.js'

let t: TestApp
beforeEach(async () => {
  t = await testApp({ bodyLimit: 256 * 1024 })
})
afterEach(async () => t.close())

const at = (m: number) => new Date(Date.parse('2026-02-01T00:00:00Z') + m * 60_000).toISOString()

describe('POST /v1/records', () => {
  it('accepts a JSON array, seals into the collector stream and is idempotent by id', async () => {
    const batch = [unsealed(), unsealed()]
    const res = await postRecords(t.app, batch)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ accepted: 2, duplicates: 0, stream: 'collector-test', first_seq: 0, last_seq: 1 })
    const again = await postRecords(t.app, [...batch, unsealed()])
    expect(again.json()).toMatchObject({ accepted: 1, duplicates: 2, first_seq: 2, last_seq: 2 })
    const stored = await t.storage.get(batch[1]!.id)
    expect(stored).toMatchObject({ stream: 'collector-test', seq: 1 })
    const v = new ChainVerifier('collector-test')
    for await (const r of t.storage.scanStream('collector-test')) v.check(r)
    expect(v.result()).toMatchObject({ ok: true, count: 3 })
  })

  it('accepts NDJSON and a single object', async () => {
    const body = [unsealed(), unsealed()].map((r) => JSON.stringify(r)).join('\n') + '\n'
    expect((await postRecords(t.app, body, 'application/x-ndjson')).json()).toMatchObject({ accepted: 2 })
    expect((await postRecords(t.app, unsealed())).json()).toMatchObject({ accepted: 1 })
  })

  it('ignores chain fields a client sends and reseals', async () => {
    const record = { ...unsealed(), stream: 'client', seq: 99, prev_hash: 'f'.repeat(64), hash: 'e'.repeat(64) }
    await postRecords(t.app, [record])
    expect(await t.storage.get(record.id)).toMatchObject({ stream: 'collector-test', seq: 0 })
  })

  it('rejects a bad record with 400 naming index and field, storing nothing of the batch', async () => {
    const bad = { ...unsealed(), request: { model: 42 } }
    const res = await postRecords(t.app, [unsealed(), bad])
    expect(res.statusCode).toBe(400)
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', path: '[1].request.model' })
    expect(res.json().error.message).toContain('record 1')
    expect((await t.storage.query({}, { limit: 10 })).records).toHaveLength(0)
  })

  it('answers 400 for malformed JSON, bad NDJSON lines, invalid UTF-8 and no body', async () => {
    expect((await postRecords(t.app, '[{"v":1,')).json().error.code).toBe('BAD_REQUEST')
    const nd = await postRecords(t.app, `${JSON.stringify(unsealed())}\n{oops`, 'application/x-ndjson')
    expect(nd.json().error).toMatchObject({ code: 'BAD_REQUEST', path: '[1]' })
    const utf = await postRecords(t.app, Buffer.from([0x5b, 0x22, 0xff, 0xfe, 0x22, 0x5d]))
    expect(utf.statusCode).toBe(400)
    expect(utf.json().error.message).toContain('UTF-8')
    const none = await t.app.inject({ method: 'POST', url: '/v1/records' })
    expect(none.statusCode).toBe(400)
  })

  it('answers 415-class 400 for an unsupported content type and 413 over the body limit', async () => {
    const text = await postRecords(t.app, 'hello', 'text/plain')
    expect(text.statusCode).toBeGreaterThanOrEqual(400)
    expect(text.statusCode).toBeLessThan(500)
    const big = await postRecords(t.app, [{ ...unsealed(), metadata: { blob: 'x'.repeat(300 * 1024) } }])
    expect(big.statusCode).toBe(413)
    expect(big.json().error.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('rejects a record too deeply nested to seal without moving the chain', async () => {
    const deep = '['.repeat(20_000) + '"x"' + ']'.repeat(20_000)
    const record = JSON.stringify({ ...unsealed(), metadata: { deep: 0 } }).replace('"deep":0', `"deep":${deep}`)
    const res = await postRecords(t.app, `[${JSON.stringify(unsealed())},${record}]`)
    expect(res.statusCode).toBe(400)
    const ok = await postRecords(t.app, [unsealed()])
    expect(ok.json()).toMatchObject({ first_seq: 0 })
  })

  it('runs the server redactor and merges its counts with the client counts', async () => {
    await t.close()
    const redactor = {
      redact: (text: string) => ({ text, findings: [] }),
      redactRecord(record: {
        redactions: Record<string, number>
        request: { messages?: Array<{ content?: unknown }> }
      }) {
        for (const m of record.request.messages ?? []) m.content = String(m.content).replace(/\d{4}/g, '<PIN>')
        record.redactions = { PIN: 1 }
        return { counts: { PIN: 1 }, responseCounts: {} }
      },
    }
    t = await testApp({ redactor: redactor as never })
    const record = unsealed({
      redactions: { EMAIL_ADDRESS: 2 },
      request: { model: 'm', messages: [{ role: 'user', content: 'pin 1234' }] },
    })
    await postRecords(t.app, [record])
    const stored = await t.storage.get(record.id)
    expect(stored?.request.messages?.[0]?.content).toBe('pin <PIN>')
    expect(stored?.redactions).toEqual({ EMAIL_ADDRESS: 2, PIN: 1 })
  })

  it('seals concurrent batches one after another into one chain', async () => {
    const batches = Array.from({ length: 8 }, () => [unsealed(), unsealed(), unsealed()])
    const results = await Promise.all(batches.map((b) => postRecords(t.app, b)))
    expect(results.every((r) => r.statusCode === 200)).toBe(true)
    const v = new ChainVerifier('collector-test')
    for await (const r of t.storage.scanStream('collector-test')) v.check(r)
    expect(v.result()).toMatchObject({ ok: true, count: 24 })
  })
})

describe('GET /v1/records', () => {
  beforeEach(async () => {
    await postRecords(t.app, [
      unsealed({ ts: at(1), provider: 'openai', request: { model: 'gpt-4o' }, user_id: 'ana', tags: ['vip'] }),
      unsealed({ ts: at(2), provider: 'anthropic', request: { model: 'claude' }, user_id: 'bo', app: 'api' }),
      unsealed({
        ts: at(3),
        status: 'error',
        error: { type: 'x', message: 'upstream timeout' },
        session_id: 's9',
        request: { model: 'gpt-4o', messages: [{ role: 'user', content: 'where is my parcel' }] },
      }),
    ])
  })
  const get = async (qs: string) => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/records${qs}` })
    return { status: res.statusCode, body: res.json() }
  }
  const ts = async (qs: string) => (await get(qs)).body.records.map((r: { ts: string }) => r.ts)

  it('lists newest first and filters by every parameter', async () => {
    expect(await ts('')).toEqual([at(3), at(2), at(1)])
    expect(await ts('?model=gpt-4o')).toEqual([at(3), at(1)])
    expect(await ts('?provider=anthropic')).toEqual([at(2)])
    expect(await ts('?user_id=ana')).toEqual([at(1)])
    expect(await ts('?session_id=s9')).toEqual([at(3)])
    expect(await ts('?status=error')).toEqual([at(3)])
    expect(await ts('?tag=vip')).toEqual([at(1)])
    expect(await ts('?app=api')).toEqual([at(2)])
    expect(await ts(`?from=${at(2)}&to=${at(3)}`)).toEqual([at(2)])
    expect(await ts('?q=parcel')).toEqual([at(3)])
    expect(await ts('?q=timeout&status=error')).toEqual([at(3)])
  })

  it('pages with next_cursor', async () => {
    const first = await get('?limit=2')
    expect(first.body.records).toHaveLength(2)
    const second = await get(`?limit=2&cursor=${first.body.next_cursor}`)
    expect(second.body.records.map((r: { ts: string }) => r.ts)).toEqual([at(1)])
    expect(second.body.next_cursor).toBeNull()
  })

  it('answers 400 naming a bad or unknown parameter', async () => {
    expect((await get('?status=maybe')).body.error).toMatchObject({ code: 'BAD_REQUEST', path: 'status' })
    expect((await get('?from=yesterday')).body.error.path).toBe('from')
    expect((await get('?limit=0')).body.error.path).toBe('limit')
    expect((await get('?modle=x')).body.error).toMatchObject({ path: 'modle' })
    expect((await get('?cursor=!!')).status).toBe(400)
  })

  it('gets one record by id, 404 otherwise', async () => {
    const [first] = (await get('?limit=1')).body.records
    const one = await t.app.inject({ method: 'GET', url: `/v1/records/${first.id}` })
    expect(one.json()).toEqual(first)
    const missing = await t.app.inject({ method: 'GET', url: '/v1/records/nope' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json().error.code).toBe('NOT_FOUND')
  })
})
