import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { unsealed } from '../test-support/records.js'
import { postRecords, type TestApp, testApp } from '../test-support/test-app.js'

let t: TestApp
beforeEach(async () => {
  t = await testApp()
})
afterEach(async () => t.close())

describe('GET /v1/stats', () => {
  it('groups by model and every other key, 400 for an unknown group_by', async () => {
    await postRecords(t.app, [
      unsealed({ request: { model: 'a' }, latency_ms: 100 }),
      unsealed({ request: { model: 'a' }, latency_ms: 300, status: 'error', error: { type: 't', message: 'm' } }),
      unsealed({ request: { model: 'b' }, latency_ms: 50 }),
    ])
    const res = await t.app.inject({ method: 'GET', url: '/v1/stats?group_by=model' })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.group_by).toBe('model')
    expect(body.rows.map((r: { key: string; count: number }) => [r.key, r.count])).toEqual([
      ['a', 2],
      ['b', 1],
    ])
    expect(body.rows[0]).toMatchObject({ errors: 1, error_rate: 0.5, latency_p50: 200 })
    // snake_case, as the rest of the API.
    expect(Object.keys(body.rows[0]).filter((k) => /[A-Z]/.test(k))).toEqual([])
    for (const g of ['provider', 'user_id', 'app', 'status', 'hour', 'day']) {
      const r = await t.app.inject({ method: 'GET', url: `/v1/stats?group_by=${g}` })
      expect(r.statusCode).toBe(200)
      expect(r.json().rows.reduce((n: number, row: { count: number }) => n + row.count, 0)).toBe(3)
    }
    const all = await t.app.inject({ method: 'GET', url: '/v1/stats?model=b' })
    expect(all.json().rows).toHaveLength(1)
    const bad = await t.app.inject({ method: 'GET', url: '/v1/stats?group_by=color' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error.path).toBe('group_by')
  })
})

describe('health, metrics, verify', () => {
  it('reports health with the stream head', async () => {
    await postRecords(t.app, [unsealed()])
    const res = await t.app.inject({ method: 'GET', url: '/healthz' })
    expect(res.json()).toEqual({ status: 'ok', stream: 'collector-test', seq: 0 })
  })

  it('serves Prometheus text with ingest counters', async () => {
    await postRecords(t.app, [unsealed(), unsealed()])
    await postRecords(t.app, 'nope')
    const res = await t.app.inject({ method: 'GET', url: '/metrics' })
    expect(res.headers['content-type']).toContain('text/plain')
    expect(res.body).toContain('promptledger_ingested_records_total 2')
    expect(res.body).toMatch(/promptledger_rejected_batches_total\{reason="BAD_REQUEST"\} 1/)
  })

  it('verifies the chain and detects a tampered record', async () => {
    await postRecords(t.app, [unsealed(), unsealed(), unsealed()])
    const ok = await t.app.inject({ method: 'GET', url: '/v1/verify' })
    expect(ok.json()).toMatchObject({ ok: true, streams: [{ stream: 'collector-test', count: 3, head_seq: 2 }] })
    // Tamper with the stored body behind the API's back.
    const { default: Database } = await import('better-sqlite3')
    const raw = new Database(t.storage.path)
    raw
      .prepare(
        `UPDATE record_body SET json = replace(json, '"u1"', '"u2"') WHERE rowid = (SELECT min(rowid) FROM record_body)`,
      )
      .run()
    raw.close()
    const bad = await t.app.inject({ method: 'GET', url: '/v1/verify?stream=collector-test' })
    expect(bad.json().ok).toBe(false)
    expect(bad.json().streams[0].problems[0]).toMatchObject({ code: 'HASH_MISMATCH', seq: 0 })
    // A stream the store never held is no verified chain.
    const unknown = await t.app.inject({ method: 'GET', url: '/v1/verify?stream=collector-tset' })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json().error).toMatchObject({ code: 'NOT_FOUND', path: 'stream' })
  })

  it('answers 404 in the error shape for an unknown route', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v2/nothing' })
    expect(res.statusCode).toBe(404)
    expect(res.json().error.code).toBe('NOT_FOUND')
  })

  it('declares every route with a role in one table', () => {
    const rows = t.app.routeTable.map((r) => `${r.method} ${r.url} ${r.role}`)
    expect(rows).toContain('POST /v1/records ingest')
    expect(rows).toContain('GET /v1/verify auditor')
    expect(rows).toContain('GET /healthz public')
  })
})
