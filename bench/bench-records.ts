import { performance } from 'node:perf_hooks'
import type { LedgerRecord, UnsealedRecord } from '../packages/sdk/src/record/schema.js'
import { uuidv7 } from '../packages/sdk/src/record/uuidv7.js'
import { Chain, genesis } from '../packages/sdk/src/seal/chain.js'

/** Deterministic pseudo-random numbers (mulberry32) so every run stores the same data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ra', 'te', 'su', 'no', 'vi', 'de', 'pa', 'or', 'el', 'an', 'is', 'ur', 'be']
/** Rare words the full-text bench searches for, each in ~1 % of records. */
export const RARE_WORDS = ['refund', 'invoice', 'chargeback', 'warranty']
export const MODELS = [
  'gpt-4o',
  'gpt-4o-mini',
  'claude-sonnet-4',
  'claude-haiku-4',
  'gemini-2.5',
  'llama-3.3',
  'o3',
  'mistral',
]

export function vocabulary(random: () => number, size = 3000): string[] {
  const words = new Set<string>()
  while (words.size < size) {
    const n = 2 + Math.floor(random() * 3)
    let w = ''
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)]
    words.add(w)
  }
  return [...words]
}

function sentence(random: () => number, words: string[], chars: number): string {
  let out = ''
  while (out.length < chars) {
    // Skewed draw: frequent words are frequent, as in real text.
    const idx = Math.floor(words.length * random() ** 2.5)
    out += (out ? ' ' : '') + words[idx]
  }
  return out
}

/**
 * A realistic ~1.2 KB record (already redacted, as the SDK sends it): system and user messages, an
 * answer, usage, cost, tags, metadata. `tsMs` spreads records over time.
 */
export function benchRecord(random: () => number, words: string[], tsMs: number): UnsealedRecord {
  const ts = new Date(tsMs).toISOString()
  const rare = random() < 0.04 ? ` ${RARE_WORDS[Math.floor(random() * RARE_WORDS.length)]}` : ''
  const latency = Math.round(200 + 2000 * random() ** 3)
  const error = random() < 0.02
  return {
    v: 1,
    id: uuidv7(tsMs),
    ts,
    end_ts: new Date(tsMs + latency).toISOString(),
    latency_ms: latency,
    ttft_ms: Math.round(latency * 0.2),
    provider: 'openai',
    operation: 'chat',
    request: {
      model: MODELS[Math.floor(random() * MODELS.length)]!,
      messages: [
        { role: 'system', content: sentence(random, words, 90) },
        { role: 'user', content: sentence(random, words, 230) + rare + ' reach me at <EMAIL_ADDRESS>' },
      ],
      params: { temperature: 0.2, max_tokens: 512 },
    },
    response: { model: null, id: 'chatcmpl-abc', output: sentence(random, words, 230), finish_reasons: ['stop'] },
    usage: { input_tokens: 120, output_tokens: 95 },
    cost_usd: 0.00042,
    status: error ? 'error' : 'ok',
    error: error ? { type: 'rate_limit', message: 'too many requests', http_status: 429 } : null,
    user_id: `user-${Math.floor(random() * 5000)}`,
    session_id: `sess-${Math.floor(random() * 20000)}`,
    trace_id: null,
    span_id: null,
    parent_span_id: null,
    app: random() < 0.5 ? 'web' : 'support-bot',
    environment: 'prod',
    tags: ['bench'],
    metadata: { region: 'eu-west-1' },
    prompt_hash: 'a'.repeat(64),
    redacted: true,
    redactions: { EMAIL_ADDRESS: 1 },
    signals: { injection_score: Math.round(random() * 100) / 1000, uncertainty: random() < 0.03 },
  }
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/**
 * Seals `count` bench records (one a second from 2026-01-01, stream `bench`) and hands them to `append` 5,000 at a
 * time, printing progress every 100,000: how the read-side benches fill a store.
 */
export async function loadBenchRecords(
  count: number,
  append: (batch: LedgerRecord[]) => Promise<unknown>,
): Promise<void> {
  const random = rng(7)
  const words = vocabulary(random)
  const chain = new Chain(genesis('bench'))
  const start = Date.parse('2026-01-01T00:00:00Z')
  const t0 = performance.now()
  for (let i = 0; i < count; i += 5000) {
    const batch: LedgerRecord[] = []
    for (let j = i; j < Math.min(count, i + 5000); j++)
      batch.push(chain.seal(benchRecord(random, words, start + j * 1000)))
    await append(batch)
    if (i % 100_000 === 0)
      process.stderr.write(`loaded ${i} records (${Math.round((performance.now() - t0) / 1000)} s)\n`)
  }
}

/** p50 and p95 in ms of `runs` calls of `fn`, after one call that warms the caches (as a running collector's are). */
export async function timeRuns(
  fn: () => Promise<unknown> | unknown,
  runs: number,
): Promise<{ p50: number; p95: number }> {
  await fn()
  const samples: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await fn()
    samples.push(performance.now() - t0)
  }
  samples.sort((a, b) => a - b)
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) }
}
