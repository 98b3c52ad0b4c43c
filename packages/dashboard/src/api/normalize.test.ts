import { describe, expect, it } from 'vitest'
import { normalizeAlerts, normalizeRecord, normalizeRecordPage, normalizeStats } from './normalize.js'

describe('normalize', () => {
  it('reads record pages with either cursor spelling and drops entries without an id', () => {
    expect(normalizeRecordPage({ records: [{ id: 'a', ts: 't' }, { ts: 'x' }, 3], next_cursor: 'c1' })).toEqual({
      records: [{ id: 'a', ts: 't' }],
      nextCursor: 'c1',
    })
    expect(normalizeRecordPage({ records: [], nextCursor: null }).nextCursor).toBeNull()
    expect(normalizeRecordPage('nope')).toEqual({ records: [], nextCursor: null })
  })

  it('accepts a bare record or { record }', () => {
    expect(normalizeRecord({ id: 'a', ts: 't' })?.id).toBe('a')
    expect(normalizeRecord({ record: { id: 'b', ts: 't' } })?.id).toBe('b')
    expect(normalizeRecord({ error: {} })).toBeNull()
  })

  it('reads stats rows in camelCase and snake_case', () => {
    const [camel] = normalizeStats({
      rows: [{ key: 'm', count: 4, errors: 1, errorRate: 0.25, latencyP95: 900, costUsd: 0.5 }],
    })
    expect(camel).toMatchObject({
      key: 'm',
      count: 4,
      errorRate: 0.25,
      latencyP95: 900,
      costUsd: 0.5,
      pricedCount: 4,
      latencyP50: null,
    })
    expect(normalizeStats([{ key: 'x', count: 2, costUsd: null, pricedCount: 0 }])[0]).toMatchObject({
      costUsd: null,
      pricedCount: 0,
    })
    const [snake] = normalizeStats([{ key: null, count: 2, errors: 1, latency_p50: 10, input_tokens: 7 }])
    expect(snake).toMatchObject({ key: null, count: 2, errorRate: 0.5, latencyP50: 10, inputTokens: 7 })
    expect(normalizeStats({ groups: [{ key: 'x', count: 1 }] })).toHaveLength(1)
    expect(normalizeStats(null)).toEqual([])
  })

  it('splits alerts into open and history from either response shape', () => {
    const split = normalizeAlerts({
      open: [{ rule: 'error_rate', scope: { model: 'gpt-4o' }, value: 0.05, threshold: 0.01, opened_at: 'T1' }],
      history: [{ rule: 'latency_p95', resolved_at: 'T3' }],
    })
    expect(split.open[0]).toMatchObject({
      rule: 'error_rate',
      scope: 'model=gpt-4o',
      state: 'open',
      value: 0.05,
      openedAt: 'T1',
    })
    expect(split.history[0]).toMatchObject({ rule: 'latency_p95', state: 'resolved', resolvedAt: 'T3' })

    const flat = normalizeAlerts({
      alerts: [
        { rule: 'a', state: 'firing' },
        { rule: 'b', status: 'resolved' },
        { rule: 'c', resolvedAt: 'T' },
      ],
    })
    expect(flat.open.map((a) => a.rule)).toEqual(['a'])
    expect(flat.history.map((a) => a.rule)).toEqual(['b', 'c'])
    expect(normalizeAlerts(undefined)).toEqual({ open: [], history: [] })
  })
})
