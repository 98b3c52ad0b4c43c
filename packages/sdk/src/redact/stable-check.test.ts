import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Finding } from './recognizer.js'
import { sevenDigitRun, sevenDigitRunKept } from './stable-check.js'

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

describe('sevenDigitRunKept', () => {
  // The definition it stands for: the pattern on every stretch of text between two kept spans.
  function walked(t: string, kept: Finding[]): boolean {
    let from = 0
    for (const k of kept) {
      if (SEVEN_DIGIT_RUN.test(t.slice(from, k.start))) return true
      from = k.end
    }
    return SEVEN_DIGIT_RUN.test(t.slice(from))
  }

  it('answers as the pattern on the text between the kept spans', () => {
    fc.assert(
      fc.property(
        fc.array(text, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (parts, cuts) => {
          const t = parts.join(' ')
          // Ordered, disjoint spans from sorted cut points, taken in pairs.
          const points = [...new Set(cuts.map((c) => c % (t.length + 1)))].sort((a, b) => a - b)
          const kept: Finding[] = []
          for (let i = 0; i + 1 < points.length; i += 2)
            kept.push({ type: 'PHONE_NUMBER', start: points[i]!, end: points[i + 1]!, score: 1 })
          expect(sevenDigitRunKept(t, kept), JSON.stringify([t, kept])).toBe(walked(t, kept))
        },
      ),
      { numRuns: 5000 },
    )
  })

  it('reads the chains around replaced spans', () => {
    const t = 'call 415 555 0132 or 212-555-0199'
    expect(sevenDigitRunKept(t, [])).toBe(true)
    expect(sevenDigitRunKept(t, [{ type: 'PHONE_NUMBER', start: 5, end: 17, score: 1 }])).toBe(true)
    const both = [
      { type: 'PHONE_NUMBER', start: 5, end: 17, score: 1 },
      { type: 'PHONE_NUMBER', start: 21, end: 33, score: 1 },
    ]
    expect(sevenDigitRunKept(t, both)).toBe(false)
    // A replaced span that cuts a chain leaves seven digits on one side.
    expect(sevenDigitRunKept('1234567 890', [{ type: 'CUSTOM', start: 8, end: 11, score: 1 }])).toBe(true)
    expect(sevenDigitRunKept('123456 7890', [{ type: 'CUSTOM', start: 3, end: 5, score: 1 }])).toBe(false)
    // More chains than the profile records: the whole text is read.
    const many = Array.from({ length: 20 }, (_, i) => `${1000000 + i}`).join(' x ')
    expect(sevenDigitRunKept(many, [{ type: 'CUSTOM', start: 0, end: many.length - 7, score: 1 }])).toBe(true)
  })
})
