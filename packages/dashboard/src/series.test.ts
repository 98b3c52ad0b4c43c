import { describe, expect, it } from 'vitest'
import { timeSeries } from './series.js'

describe('timeSeries', () => {
  const rows = [
    { key: '2026-11-27T12:00:00.000Z', count: 4, errors: 1 },
    { key: '2026-11-27T10:00:00.000Z', count: 2, errors: 0 },
    { key: null, count: 9, errors: 0 },
  ]

  it('fills quiet hours with zeros between the rows', () => {
    expect(timeSeries(rows, 'hour')).toEqual([
      { label: '2026-11-27 10:00', value: 2, part: 0 },
      { label: '2026-11-27 11:00', value: 0, part: 0 },
      { label: '2026-11-27 12:00', value: 4, part: 1 },
    ])
  })

  it('spans the requested window, rounding its ends down to the bucket', () => {
    const bars = timeSeries(rows, 'hour', Date.parse('2026-11-27T09:30:00Z'), Date.parse('2026-11-27T13:59:00Z'))
    expect(bars.map((b) => b.value)).toEqual([0, 2, 0, 4, 0])
  })

  it('buckets by day and handles an empty result', () => {
    expect(
      timeSeries(
        [{ key: '2026-11-25T00:00:00.000Z', count: 1, errors: 0 }],
        'day',
        undefined,
        Date.parse('2026-11-27T08:00:00Z'),
      ),
    ).toEqual([
      { label: '2026-11-25', value: 1, part: 0 },
      { label: '2026-11-26', value: 0, part: 0 },
      { label: '2026-11-27', value: 0, part: 0 },
    ])
    expect(timeSeries([], 'hour')).toEqual([])
    expect(timeSeries([], 'hour', 0, 2 * 3_600_000)).toHaveLength(3)
  })

  it('does not fill absurdly long spans', () => {
    const far = [
      { key: '2000-01-01T00:00:00.000Z', count: 1, errors: 0 },
      { key: '2026-01-01T00:00:00.000Z', count: 1, errors: 0 },
    ]
    expect(timeSeries(far, 'day')).toHaveLength(2)
  })
})
