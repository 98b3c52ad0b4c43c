import { describe, expect, it } from 'vitest'
import { costUsd, lookupPrice, priceTable } from './index.js'

describe('price table', () => {
  it('states its source, retrieval date and version', () => {
    expect(priceTable.version).toMatch(/\S/)
    expect(priceTable.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(Object.keys(priceTable.source).sort()).toEqual(['anthropic', 'google', 'openai'])
  })

  it('has positive input/output prices for every model and valid aliases', () => {
    for (const [id, p] of Object.entries(priceTable.models)) {
      expect(p.input, id).toBeGreaterThan(0)
      expect(p.output, id).toBeGreaterThanOrEqual(0)
    }
    for (const target of Object.values(priceTable.aliases)) expect(priceTable.models[target]).toBeDefined()
  })
})

describe('lookupPrice alias rule', () => {
  it.each([
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['claude-sonnet-4-20250514', 'claude-sonnet-4-0'],
    ['claude-3-5-sonnet-20241022', 'claude-3-5-sonnet'],
    ['claude-3-5-haiku-latest', 'claude-3-5-haiku'],
    ['models/gemini-2.5-pro', 'gemini-2.5-pro'],
  ])('%s prices as %s', (id, canonical) => {
    expect(lookupPrice(id)).toBe(priceTable.models[canonical])
  })

  it('prefers an exact dated snapshot with its own price', () => {
    expect(lookupPrice('gpt-4o-2024-05-13')?.input).toBe(5)
  })

  it('never prefix-matches', () => {
    expect(lookupPrice('gpt-4o-mini-ultra')).toBeUndefined()
    expect(lookupPrice('gpt-4')).toBeUndefined()
  })
})

describe('costUsd', () => {
  it('returns null for an unknown model or missing usage', () => {
    expect(costUsd('my-finetune', { inputTokens: 10, outputTokens: 10 })).toBeNull()
    expect(costUsd(null, { inputTokens: 10 })).toBeNull()
    expect(costUsd('gpt-4o', null)).toBeNull()
    expect(costUsd('gpt-4o', {})).toBeNull()
  })

  it('prices cached input at the cached rate (gpt-4o)', () => {
    // 600 uncached × 2.5 + 400 cached × 1.25 + 200 out × 10, per million
    expect(costUsd('gpt-4o-2024-08-06', { inputTokens: 1000, cacheReadTokens: 400, outputTokens: 200 })).toBeCloseTo(
      0.004,
      12,
    )
  })

  it('prices Anthropic cache writes and reads (sonnet 4)', () => {
    const usd = costUsd('claude-sonnet-4-20250514', {
      inputTokens: 1000 + 2000 + 3000,
      cacheReadTokens: 2000,
      cacheWriteTokens: 3000,
      outputTokens: 100,
    })
    expect(usd).toBeCloseTo((1000 * 3 + 2000 * 0.3 + 3000 * 3.75 + 100 * 15) / 1e6, 12)
  })

  it('counts reasoning tokens once, inside output', () => {
    expect(costUsd('o3', { inputTokens: 0, outputTokens: 1000, reasoningTokens: 800 })).toBeCloseTo(0.008, 12)
  })

  it('switches to the long-context tier past the threshold', () => {
    expect(costUsd('gemini-2.5-pro', { inputTokens: 300_000, outputTokens: 0 })).toBeCloseTo(0.75, 12)
    expect(costUsd('gemini-2.5-pro', { inputTokens: 100_000, outputTokens: 0 })).toBeCloseTo(0.125, 12)
  })
})
