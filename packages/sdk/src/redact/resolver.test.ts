import { describe, expect, it } from 'vitest'
import { resolve } from './resolver.js'

describe('resolve', () => {
  it('keeps the higher score among overlaps', () => {
    const out = resolve([
      { type: 'PHONE_NUMBER', start: 0, end: 11, score: 0.6 },
      { type: 'US_SSN', start: 0, end: 11, score: 0.9 },
    ])
    expect(out.map((f) => f.type)).toEqual(['US_SSN'])
  })
  it('breaks score ties by length, then keeps disjoint findings sorted', () => {
    const out = resolve([
      { type: 'B', start: 20, end: 25, score: 0.5 },
      { type: 'SHORT', start: 0, end: 4, score: 0.8 },
      { type: 'LONG', start: 0, end: 10, score: 0.8 },
    ])
    expect(out.map((f) => f.type)).toEqual(['LONG', 'B'])
  })
  it('drops empty spans', () => {
    expect(
      resolve([
        { type: 'X', start: 3, end: 3, score: 1 },
        { type: 'Y', start: 5, end: 6, score: 1 },
      ]),
    ).toHaveLength(1)
  })
})
