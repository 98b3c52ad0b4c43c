import { expect } from 'vitest'
import type { GroupBy, StatsRow, Storage } from '../storage/storage.js'
import { sealAll, unsealed } from './records.js'

export const T0 = Date.parse('2026-03-01T00:00:00.000Z')
const MODELS = ['a', 'b', null, 'c']

/**
 * Deterministic records over four days: varied latency, ttft, tokens, cost, status and signals. Model `c` has no
 * price (cost null), and one record in 6 of the others neither: groups are priced, unpriced and partly priced.
 */
export function dataset(n: number) {
  return sealAll(
    Array.from({ length: n }, (_, i) =>
      unsealed({
        ts: new Date(T0 + i * 1_218_000).toISOString(),
        request: { model: MODELS[i % 4]! },
        response: i % 7 === 0 ? null : { model: null, output: 'y'.repeat(i % 13) },
        provider: i % 3 ? 'openai' : 'anthropic',
        app: i % 5 ? 'web' : null,
        latency_ms: 1 + ((i * 37) % 997),
        ttft_ms: i % 2 ? null : 0.5 + (i % 50),
        status: i % 9 === 0 ? 'error' : 'ok',
        usage: { input_tokens: i % 11, output_tokens: i % 17 },
        cost_usd: MODELS[i % 4] === 'c' || i % 6 === 1 ? null : (i % 10) / 1000,
        signals: {
          uncertainty: i % 8 === 0,
          pii_in_response: i % 12 === 0 ? { EMAIL: 1 } : {},
          injection_score: i / n,
        },
      }),
    ),
  )
}

/** Rollup answers equal the exact scan's, percentiles within the documented 1 %. */
export function expectClose(rolled: StatsRow[], exact: StatsRow[]): void {
  expect(rolled.map((r) => [r.key, r.count, r.errors])).toEqual(exact.map((r) => [r.key, r.count, r.errors]))
  for (let i = 0; i < exact.length; i++) {
    const [a, b] = [rolled[i]!, exact[i]!]
    expect(a.inputTokens).toBe(b.inputTokens)
    expect(a.outputTokens).toBe(b.outputTokens)
    expect(a.pricedCount).toBe(b.pricedCount)
    if (b.costUsd === null) expect(a.costUsd).toBeNull()
    else expect(a.costUsd).toBeCloseTo(b.costUsd, 9)
    expect(a.avgResponseChars ?? -1).toBeCloseTo(b.avgResponseChars ?? -1, 9)
    expect([a.uncertain, a.piiLeaks, a.injectionMax]).toEqual([b.uncertain, b.piiLeaks, b.injectionMax])
    for (const k of ['latencyP50', 'latencyP95', 'latencyP99', 'ttftP50', 'ttftP95'] as const) {
      if (b[k] === null) expect(a[k]).toBeNull()
      // Both interpolate between the two values around the rank; the rollup's are bucket midpoints (within 1 %).
      else expect(Math.abs(a[k]! - b[k]!) / b[k]!).toBeLessThanOrEqual(0.0101)
    }
  }
}

/**
 * The fast path (rollups, or ClickHouse's histograms) against the exact scan on two stores of one backend: every
 * rollup grouping and filter, batches appended in turn, and retention (which rebuilds the day its bound falls in).
 */
export async function expectRollupsMatchExact(rolled: Storage, exact: Storage): Promise<void> {
  const records = dataset(300)
  for (let i = 0; i < records.length; i += 70) {
    await rolled.append(records.slice(i, i + 70))
    await exact.append(records.slice(i, i + 70))
  }
  const groups: Array<GroupBy | null> = [null, 'model', 'provider', 'app', 'status', 'hour', 'day']
  const filters = [
    {},
    { model: 'a' },
    { from: '2026-03-01T01:00:00.000Z', to: '2026-03-01T03:00:00.000Z' },
    { from: '2026-03-02T00:00:00.000Z', to: '2026-03-04T00:00:00.000Z', status: 'ok' as const },
    { from: '2026-03-01T13:00:00.000Z', to: '2026-03-03T05:00:00.000Z' },
  ]
  for (const g of groups) for (const f of filters) expectClose(await rolled.stats(f, g), await exact.stats(f, g))
  // Retention keeps rollups in step, also for the hour the bound falls in.
  await rolled.deleteBefore('2026-03-02T01:30:00.000Z')
  await exact.deleteBefore('2026-03-02T01:30:00.000Z')
  expectClose(await rolled.stats({}, 'hour'), await exact.stats({}, 'hour'))
  expectClose(await rolled.stats({}, 'day'), await exact.stats({}, 'day'))
  expectClose(await rolled.stats({}, 'model'), await exact.stats({}, 'model'))
}
