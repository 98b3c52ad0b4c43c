import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sevenDigitRun } from './stable-check.js'

// The pattern sevenDigitRun() stands for, on the slice it reads.
const SEVEN_DIGIT_RUN = /\d(?:[ \-.()/+]{0,2}\d){6}/

// Digits, every separator of the chain, characters that break it, and letters.
const piece = fc.constantFrom(
  ...['1', '12', '123', '4567', '0', '9'],
  ...[' ', '  ', '-', '.', '(', ')', '/', '+', ' - ', '(+', '.)'],
  ...['x', ',', ':', '_', '\n', '\t', '#', 'é', '٣'],
)
const text = fc.array(piece, { maxLength: 16 }).map((parts) => parts.join(''))

describe('sevenDigitRun', () => {
  it('answers as the seven-digit pattern on the slice', () => {
    fc.assert(
      fc.property(text, fc.nat(), fc.nat(), (t, a, b) => {
        const from = Math.min(a, b) % (t.length + 1)
        const to = Math.min(t.length, from + (Math.max(a, b) % (t.length + 1)))
        expect(sevenDigitRun(t, from, to), JSON.stringify([t, from, to])).toBe(SEVEN_DIGIT_RUN.test(t.slice(from, to)))
      }),
      { numRuns: 5000 },
    )
  })

  it('reads typical stretches', () => {
    expect(sevenDigitRun('call (415) 555-0132', 0, 19)).toBe(true)
    expect(sevenDigitRun('call (415) 555-0132', 6, 19)).toBe(true)
    expect(sevenDigitRun('call (415) 555-0132', 12, 19)).toBe(false)
    expect(sevenDigitRun('12 34 56', 0, 8)).toBe(false)
    expect(sevenDigitRun('123 -- 4567', 0, 11)).toBe(false)
    expect(sevenDigitRun('123 -4567', 0, 9)).toBe(true)
  })
})
