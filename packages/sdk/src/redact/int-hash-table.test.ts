import { describe, expect, it } from 'vitest'
import { IntHashTable } from './int-hash-table.js'

describe('IntHashTable', () => {
  it('stores flags per hash, ORs them, and answers 0 for an absent hash', () => {
    const t = new IntHashTable(4)
    t.add(17, 1)
    t.add(17, 4)
    t.add(33, 2) // the same slot as 17 in 16 slots: probed past it
    expect(t.get(17)).toBe(5)
    expect(t.get(33)).toBe(2)
    expect(t.get(49)).toBe(0)
  })
  it('refuses to fill past half its slots, where a lookup of an absent hash could never end', () => {
    const t = new IntHashTable(3)
    for (let h = 1; h <= 4; h++) t.add(h, 1)
    t.add(4, 2) // an existing entry takes no slot
    expect(() => t.add(5, 1)).toThrow(/more than 4 entries/)
    expect(t.get(6)).toBe(0)
  })
})
