import prices from './prices.json' with { type: 'json' }

/** USD per 1,000,000 tokens for one token kind. */
export interface TokenPrices {
  input: number
  output: number
  /** Cached input read; absent when the provider does not discount cache hits (billed as input). */
  cacheRead?: number
  /** Cache write; absent when the provider does not charge extra for it (billed as input). */
  cacheWrite?: number
  /** Reasoning/thinking tokens; absent means the output price. */
  reasoning?: number
}

/** One model's list prices, with an optional long-context tier applying to the whole request. */
export interface ModelPrice extends TokenPrices {
  provider: 'openai' | 'anthropic' | 'google'
  above?: TokenPrices & { tokens: number }
}

/** The versioned price table shipped with the SDK (`prices.json`). */
export interface PriceTable {
  version: string
  retrieved: string
  source: Record<string, string>
  models: Record<string, ModelPrice>
  aliases: Record<string, string>
}

/** The bundled price table; read-only. `priceTable.version` and `.retrieved` say which prices a cost used. */
export const priceTable: PriceTable = prices as PriceTable

// A trailing snapshot date: OpenAI writes `-2024-08-06`, Anthropic `-20250514`.
const DATED_SUFFIX = /-(?:\d{4}-\d{2}-\d{2}|\d{8})$/

/**
 * Finds the price entry for a model id, or undefined. The alias rule, in order:
 * 1. the id as given (exact dated snapshots with their own prices, e.g. `gpt-4o-2024-05-13`, win);
 * 2. a leading `models/` (Gemini REST names) or `<provider>/` is dropped;
 * 3. a trailing snapshot date (`-YYYY-MM-DD` or `-YYYYMMDD`) is dropped;
 * 4. the `aliases` map is applied once (e.g. `claude-sonnet-4` → `claude-sonnet-4-0`).
 * No prefix or fuzzy matching: `gpt-4o-mini-foo` is unknown, never priced as `gpt-4o-mini`.
 *
 * @example
 * lookupPrice('gpt-4o-2024-08-06') // → the gpt-4o entry
 */
export function lookupPrice(model: string, table: PriceTable = priceTable): ModelPrice | undefined {
  const exact = table.models[model]
  if (exact) return exact
  let id = model.toLowerCase()
  const slash = id.lastIndexOf('/')
  if (slash >= 0) id = id.slice(slash + 1)
  const undated = id.replace(DATED_SUFFIX, '')
  for (const candidate of undated === id ? [id] : [id, undated]) {
    const hit = table.models[candidate] ?? table.models[table.aliases[candidate] ?? '']
    if (hit) return hit
  }
  return undefined
}
