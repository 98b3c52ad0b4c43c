import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildQuery, filterFromParams, parseRoute, type Route, routeToHash } from './query.js'

describe('query strings', () => {
  it('keeps non-empty trimmed values in a stable order and encodes them', () => {
    expect(buildQuery({ q: ' hello world ', model: 'gpt-4o', app: '' }, { limit: 50, cursor: null })).toBe(
      'model=gpt-4o&q=hello+world&limit=50',
    )
    expect(buildQuery({ tag: 'a&b=c' })).toBe('tag=a%26b%3Dc')
    expect(buildQuery({})).toBe('')
  })

  it('reads only known filter keys', () => {
    const f = filterFromParams(new URLSearchParams('model=x&evil=1&user_id=u1&status='))
    expect(f).toEqual({ model: 'x', user_id: 'u1' })
  })
})

describe('routes', () => {
  it('parses every view and falls back to records', () => {
    expect(parseRoute('')).toEqual({ view: 'records', filter: {} })
    expect(parseRoute('#/records?model=m&q=x')).toEqual({ view: 'records', filter: { model: 'm', q: 'x' } })
    expect(parseRoute('#/records/0190abcd-0000-7000-8000-000000000000')).toEqual({
      view: 'record',
      id: '0190abcd-0000-7000-8000-000000000000',
    })
    expect(parseRoute('#/stats?group_by=app&range=7d')).toEqual({
      view: 'stats',
      filter: {},
      groupBy: 'app',
      range: '7d',
    })
    expect(parseRoute('#/stats?group_by=nope&range=1y')).toEqual({
      view: 'stats',
      filter: {},
      groupBy: 'model',
      range: '24h',
    })
    expect(parseRoute('#/alerts')).toEqual({ view: 'alerts' })
    expect(parseRoute('#/nowhere')).toEqual({ view: 'records', filter: {} })
    expect(parseRoute('#/records/%E0%A4%A')).toEqual({ view: 'record', id: '%E0%A4%A' })
  })

  it('round-trips any route through the hash', () => {
    const text = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() === s && s.length > 0)
    const route: fc.Arbitrary<Route> = fc.oneof(
      fc.record({
        view: fc.constant('records' as const),
        filter: fc.record({ model: text, q: text }, { requiredKeys: [] }),
      }),
      fc.record({ view: fc.constant('record' as const), id: text }),
      fc.record({
        view: fc.constant('stats' as const),
        filter: fc.record({ app: text }, { requiredKeys: [] }),
        groupBy: fc.constantFrom('model', 'provider', 'user_id', 'app', 'status', 'hour', 'day'),
        range: fc.constantFrom('1h', '24h', '7d', '30d', 'all'),
      }),
      fc.constant({ view: 'alerts' as const }),
    )
    fc.assert(
      fc.property(route, (r) => {
        expect(parseRoute(routeToHash(r))).toEqual(r)
      }),
    )
  })
})
