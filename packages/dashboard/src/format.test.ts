import { describe, expect, it } from 'vitest'
import {
  contentToText,
  formatCost,
  formatGroupCost,
  formatInt,
  formatMs,
  formatPercent,
  formatTime,
  formatTokens,
  isoToLocalInput,
  localInputToIso,
  shorten,
} from './format.js'

describe('format', () => {
  it('shows times in UTC with milliseconds and passes unparseable text through', () => {
    expect(formatTime('2026-11-27T16:04:19.123Z')).toBe('2026-11-27 16:04:19.123')
    expect(formatTime('2026-11-27T17:04:19.123+01:00')).toBe('2026-11-27 16:04:19.123')
    expect(formatTime('yesterday')).toBe('yesterday')
    expect(formatTime(null)).toBe('—')
  })

  it('formats durations for people', () => {
    expect(formatMs(0)).toBe('0 ms')
    expect(formatMs(849.6)).toBe('850 ms')
    expect(formatMs(1240)).toBe('1.24 s')
    expect(formatMs(125_000)).toBe('2 min 5 s')
    expect(formatMs(null)).toBe('—')
    expect(formatMs(Number.NaN)).toBe('—')
  })

  it('formats costs with precision for tiny per-call amounts and — for unknown prices', () => {
    expect(formatCost(null)).toBe('—')
    expect(formatCost(0)).toBe('$0')
    expect(formatCost(0.000123456)).toBe('$0.000123')
    // Below a dollar three significant digits, not cents: $0.02 for 0.015375 was a third too high.
    expect(formatCost(0.015375)).toBe('$0.0154')
    expect(formatCost(0.5)).toBe('$0.5')
    expect(formatCost(1.234)).toBe('$1.23')
    expect(formatCost(1543209.77)).toBe('$1,543,209.77')
  })

  it("formats a group's cost as unknown when nothing in it is priced and as a lower bound when part is", () => {
    expect(formatGroupCost(null, 0, 3)).toBe('—')
    expect(formatGroupCost(0, 3, 3)).toBe('$0')
    expect(formatGroupCost(1.5, 2, 3)).toBe('≥$1.50')
  })

  it('formats counts, tokens and percentages', () => {
    expect(formatInt(1234567)).toBe('1,234,567')
    expect(formatTokens(1200, 85)).toBe('1,200 → 85')
    expect(formatTokens(null, 85)).toBe('— → 85')
    expect(formatTokens(undefined, null)).toBe('—')
    expect(formatPercent(0.0123)).toBe('1.23 %')
    expect(formatPercent(0)).toBe('0.0 %')
    expect(formatPercent(0.5)).toBe('50.0 %')
  })

  it('shortens long identifiers only', () => {
    expect(shorten('a'.repeat(10) + 'b'.repeat(10), 4)).toBe('aaaa…bbbb')
    expect(shorten('short')).toBe('short')
    expect(shorten(null)).toBe('—')
  })

  it('turns message content into text without interpreting it', () => {
    expect(contentToText('<script>alert(1)</script>')).toBe('<script>alert(1)</script>')
    expect(
      contentToText([
        { type: 'text', text: 'one' },
        { type: 'text', text: 'two' },
      ]),
    ).toBe('one\ntwo')
    expect(contentToText({ type: 'image_url', image_url: 'x' })).toBe(
      '{\n  "type": "image_url",\n  "image_url": "x"\n}',
    )
    expect(contentToText(null)).toBe('')
    expect(contentToText(42)).toBe('42')
    // A response's output as chat messages reads as their text; a message with tool calls stays JSON.
    expect(contentToText([{ role: 'assistant', content: 'Hello there.' }])).toBe('Hello there.')
    expect(contentToText([{ role: 'assistant', content: [{ type: 'text', text: 'a' }] }])).toBe('a')
    const withTools = [{ role: 'assistant', content: null, tool_calls: [{ id: 'c1' }] }]
    expect(contentToText(withTools)).toBe(JSON.stringify(withTools, null, 2))
  })

  it('reads datetime-local values as UTC, both ways', () => {
    expect(localInputToIso('2026-11-27T10:00')).toBe('2026-11-27T10:00:00.000Z')
    expect(localInputToIso('2026-11-27T10:00:30')).toBe('2026-11-27T10:00:30.000Z')
    expect(localInputToIso('')).toBe('')
    expect(localInputToIso('garbage')).toBe('')
    expect(isoToLocalInput('2026-11-27T10:00:00.000Z')).toBe('2026-11-27T10:00')
    // Seconds and milliseconds stay: Apply must not widen a bound a link carried.
    expect(isoToLocalInput('2026-11-27T10:00:30.000Z')).toBe('2026-11-27T10:00:30')
    expect(isoToLocalInput('2026-11-27T10:00:00.800Z')).toBe('2026-11-27T10:00:00.800')
    expect(localInputToIso('2026-11-27T10:00:00.800')).toBe('2026-11-27T10:00:00.800Z')
    expect(isoToLocalInput(undefined)).toBe('')
  })
})
