import { describe, expect, it } from 'vitest'
import { createRedactor } from './engine.js'

describe('redact() input', () => {
  it('throws a TypeError naming what it got instead of scanning a value that is not a string', () => {
    const { redact } = createRedactor()
    // An object or a number has no length to scan by: this once never returned.
    expect(() => redact({ a: 1 } as unknown as string)).toThrow(
      new TypeError('redact(): expected a string, got object'),
    )
    expect(() => redact(42 as unknown as string)).toThrow(/got number/)
    expect(() => redact(null as unknown as string)).toThrow(/got null/)
    expect(() => redact(['x'] as unknown as string)).toThrow(/got an array/)
    expect(redact('mail ana@example.com').text).toBe('mail <EMAIL_ADDRESS>')
  })
})
