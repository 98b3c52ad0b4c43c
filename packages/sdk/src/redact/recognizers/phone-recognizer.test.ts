import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { plausibleGroups } from './phone-recognizer.js'

// The groups test as it was written before it counted in place: strip parentheses, split on separators.
function reference(raw: string): boolean {
  if (/^\d{1,3}(?:[ .,]\d{3})+$/.test(raw) || /\d{4}[-./]\d{2}[-./]\d{2}|\d{2}[-./]\d{2}[-./]\d{4}/.test(raw))
    return false
  const groups = raw.replace(/[()]/g, '').split(/[ .-]/)
  if (groups.length > 5) return false
  for (const g of groups) if (g.length < 2 || g.length > 5) return false
  return true
}

// What the phone pattern's matches are made of: digits, separators, parentheses, `+` and extensions.
const piece = fc.constantFrom(
  ...['1', '12', '123', '1234', '12345', '123456', '0', '555', '2025', '07', '000'],
  ...[' ', '.', '-', '(', ')', '+', ',', '/', 'x', 'ext', 'ext.', 'extension', '  '],
)
const raw = fc.array(piece, { maxLength: 14 }).map((parts) => parts.join(''))

describe('phone groups', () => {
  it('answers as split() and the regexes did', () => {
    fc.assert(
      fc.property(raw, (r) => {
        expect(plausibleGroups(r)).toBe(reference(r))
      }),
      { numRuns: 20000 },
    )
  })

  it('keeps local formats and rejects amounts, dates and odd groupings', () => {
    expect(plausibleGroups('(020) 7946 0958')).toBe(true)
    expect(plausibleGroups('01 84 17 61 18')).toBe(true)
    expect(plausibleGroups('1 000 000')).toBe(false)
    expect(plausibleGroups('2024-05-17 12')).toBe(false)
    expect(plausibleGroups('12 34 56 78 90 12')).toBe(false)
    expect(plausibleGroups('123456 78')).toBe(false)
    expect(plausibleGroups('12  34 56')).toBe(false)
  })
})
