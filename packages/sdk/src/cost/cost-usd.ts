import type { Usage } from '../record/log-input.js'
import { lookupPrice, type PriceTable, priceTable, type TokenPrices } from './price-table.js'

const PER_TOKEN = 1 / 1_000_000

/**
 * The cost of one call in USD from the bundled price table, or null when the model is unknown or the usage has no
 * token counts — never a guess.
 *
 * Usage convention (the wrappers and the proxy normalise to it): `inputTokens` is ALL prompt tokens, cached reads and
 * cache writes included (OpenAI's `prompt_tokens`; for Anthropic `input_tokens + cache_read_input_tokens +
 * cache_creation_input_tokens`); `outputTokens` includes reasoning tokens (as both providers report them), and
 * `reasoningTokens` says how many of them were reasoning.
 *
 * @example
 * costUsd('gpt-4o-2024-08-06', { inputTokens: 1000, outputTokens: 200, cacheReadTokens: 400 }) // 0.00400
 */
export function costUsd(
  model: string | null | undefined,
  usage: Usage | null | undefined,
  table: PriceTable = priceTable,
): number | null {
  if (!model || !usage) return null
  const price = lookupPrice(model, table)
  if (!price) return null
  const input = usage.inputTokens ?? 0
  const output = usage.outputTokens ?? 0
  if (usage.inputTokens == null && usage.outputTokens == null) return null
  const tier: TokenPrices = price.above && input > price.above.tokens ? price.above : price
  const cacheRead = Math.min(usage.cacheReadTokens ?? 0, input)
  const cacheWrite = Math.min(usage.cacheWriteTokens ?? 0, input - cacheRead)
  const uncached = input - cacheRead - cacheWrite
  const reasoning = Math.min(usage.reasoningTokens ?? 0, output)
  const visible = output - reasoning
  const usd =
    uncached * tier.input +
    cacheRead * (tier.cacheRead ?? tier.input) +
    cacheWrite * (tier.cacheWrite ?? tier.input) +
    visible * tier.output +
    reasoning * (tier.reasoning ?? tier.output)
  // Rounded to 1e-10 USD so sums over many records do not drift on float noise.
  return Math.round(usd * PER_TOKEN * 1e10) / 1e10
}
