import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { defaultRecognizers } from './default-recognizers.js'
import { createRedactor } from './engine.js'
import type { Finding } from './recognizer.js'
import {
  DIGIT_RUNS_ONLY,
  NAME_RUNS,
  replacementsAreStable,
  sevenDigitRun,
  sevenDigitRunKept,
  UNSTABLE,
} from './stable-check.js'
import { textProfile } from './text-profile.js'

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

describe('replacementsAreStable', () => {
  const email = (start: number, end: number): Finding => ({ type: 'EMAIL_ADDRESS', start, end, score: 1 })

  it('sends a phone, card or SSN candidate below the threshold back to the digit recognizers only', () => {
    // "order" before the number lowers the phone's score below 0.5; the replaced e-mail address cannot change that
    // for any recognizer but phone, card and SSN, which read the output again.
    const t = 'Order number 555-201-3344, mail ana@example.com today'
    textProfile(t)
    const kept = [email(32, 47)]
    const phone: Finding = { type: 'PHONE_NUMBER', start: 13, end: 25, score: 0.35 }
    expect(replacementsAreStable(t, [kept, [phone]], 2, kept, 0.5)).toBe(DIGIT_RUNS_ONLY)
    const secret: Finding = { type: 'SECRET', start: 0, end: 5, score: 0.4 }
    expect(replacementsAreStable(t, [kept, [phone, secret]], 2, kept, 0.5)).toBe(UNSTABLE)
  })

  it('finds what the replacement raised, and stays idempotent', () => {
    // The replaced address held the word "order" that kept the number below the threshold: the digit recognizers
    // find the phone in the output.
    const r = createRedactor()
    const out = r.redact('order@example.com 555-201-3344')
    expect(out.text).toBe('<EMAIL_ADDRESS> <PHONE_NUMBER>')
    expect(r.redact(out.text).text).toBe(out.text)
    const low = r.redact('Order number 555-201-3344, mail ana@example.com today')
    expect(low.text).toBe('Order number 555-201-3344, mail <EMAIL_ADDRESS> today')
    expect(r.redact(low.text).text).toBe(low.text)
  })
})

describe('the second analysis a replacement asks for', () => {
  // Recognizers passed in as options turn every shortcut off: the output is always analysed again in full.
  const fast = createRedactor()
  const full = createRedactor({ recognizers: defaultRecognizers() })
  // Entities next to capitalised words, sentence ends and digit runs, and the words around them (names, greetings,
  // words that are also names).
  const piece = fc.constantFrom(
    ...['ana@example.com', '(415) 555-0132', '555-201-3344', '123-45-6780', '4111 1111 1111 1111', '203.0.113.9'],
    ...['Maria', 'Lopez', 'Kay', 'Little', 'Anna', 'Rose', 'Green', 'Smith', 'Oluwaseun', 'Berlin', 'The', 'Hi'],
    ...['Dr.', 'J.', 'Dear', 'said', 'lives', 'order', 'call', 'my name is', 'and', "'s"],
    ...['221 Baker Street', 'Rua Igreja 25', 'Apt 5', 'GB82 WEST 1234 5698 7654 32'],
    ...['.', ':', ',', '!', '?', '"', '(', ')'],
  )
  const text = fc
    .array(fc.tuple(piece, fc.constantFrom(' ', ' ', '', '\n')), { maxLength: 10 })
    .map((parts) => parts.flat().join(''))

  it('gives what the full second analysis gives', () => {
    // Found by this property: the person recognizer finds `Baker Street` once the run after `J.` is a token.
    for (const found of [
      'ana@example.com221 Baker Street J. Rua Igreja 25 ',
      // `Maria` found alone (a run of five words is no candidate); as a token it leaves a run of four.
      'lives Anna Annaorder Anna Lopez Maria\n555-201-3344 GB82 WEST 1234 5698 7654 32 Maria ',
      // `Rose: 221 …` is a field with a value; `Rose: <STREET_ADDRESS>` reads as a speaker.
      'Rose: 221 Baker Street ',
    ])
      expect(fast.redact(found)).toEqual(full.redact(found))
    fc.assert(
      fc.property(text, (t) => {
        expect(fast.redact(t), JSON.stringify(t)).toEqual(full.redact(t))
      }),
      { numRuns: 5000 },
    )
  })

  it('sends spans next to capitalised words or ending a sentence to the person and digit recognizers', () => {
    const next = 'mail ana@example.com Maria'
    textProfile(next)
    const email = [{ type: 'EMAIL_ADDRESS', start: 5, end: 20, score: 1 }]
    expect(replacementsAreStable(next, [email], 1, email, 0.5)).toBe(NAME_RUNS)
    const ends = 'met Dr. J. today'
    textProfile(ends)
    const person = [{ type: 'PERSON', start: 4, end: 10, score: 0.85 }]
    expect(replacementsAreStable(ends, [person], 1, person, 0.5)).toBe(NAME_RUNS)
    // A span right after an initial's dot: the person recognizer had joined `J.` and the span's words in one run.
    const initial = 'met Baker Street J. Rua Igreja 25 today'
    textProfile(initial)
    const street = [{ type: 'STREET_ADDRESS', start: 20, end: 33, score: 0.85 }]
    expect(replacementsAreStable(initial, [street], 1, street, 0.5)).toBe(NAME_RUNS)
    // Any other failed condition still asks for everything: here a colon glued to the next word.
    const glued = 'mail ana@example.com:Maria'
    textProfile(glued)
    expect(replacementsAreStable(glued, [email], 1, email, 0.5)).toBe(UNSTABLE)
  })
})
