import type { Tiktoken } from 'js-tiktoken/lite'

type EncodingName = 'o200k_base' | 'cl100k_base'

const loaded = new Map<EncodingName, Promise<Tiktoken>>()

/** Loads one encoding on first use, off the response path (the rank tables are a few MB). */
function encoding(name: EncodingName): Promise<Tiktoken> {
  let p = loaded.get(name)
  if (!p) {
    p = (async () => {
      const { Tiktoken } = await import('js-tiktoken/lite')
      const ranks =
        name === 'o200k_base'
          ? await import('js-tiktoken/ranks/o200k_base')
          : await import('js-tiktoken/ranks/cl100k_base')
      return new Tiktoken(ranks.default)
    })()
    loaded.set(name, p)
  }
  return p
}

/**
 * Loads both encodings now. Building a rank table blocks the event loop for a second or more, so the proxy does it
 * at start-up (`proxy.ready`) rather than in the middle of serving the first stream without usage.
 */
export async function loadTokenizers(): Promise<void> {
  await Promise.all([encoding('o200k_base'), encoding('cl100k_base')])
}

/** o200k_base for the gpt-4o, gpt-4.1+, gpt-5 and o-series families; cl100k_base for everything older or unknown. */
export function encodingFor(model: string | null): EncodingName {
  const m = (model ?? '').toLowerCase()
  return /^(gpt-4o|gpt-4\.[1-9]|gpt-5|o\d|chatgpt-4o|gpt-oss)/.test(m) ? 'o200k_base' : 'cl100k_base'
}

/**
 * Counts tokens when the provider did not report them (a stream without `include_usage`, a stream cut midway).
 * OpenAI counts are exact for the text plus the documented per-message overhead (3 tokens a message, 3 to prime the
 * reply). Anthropic publishes no tokenizer: cl100k_base is used as an approximation (typically within ±15%), and
 * every estimate is flagged `usage.estimated = true` either way.
 */
export async function countTokens(model: string | null, texts: string[], perItemOverhead = 0): Promise<number> {
  const enc = await encoding(encodingFor(model))
  let n = 0
  for (const t of texts) n += enc.encode(t).length + perItemOverhead
  return n
}
