// Turns time-grouped stats rows into a gap-free series: hours or days without calls must show as zero, or the
// chart would silently compress quiet periods and mislead whoever is on call.
import type { Bar } from './chart.js'

export interface TimeRow {
  key: string | null
  count: number
  errors: number
}

const UNIT_MS = { hour: 3_600_000, day: 86_400_000 } as const
/** Past this many buckets the rows are drawn as they are, without filling. */
const MAX_BUCKETS = 800

function floorTo(ms: number, unit: 'hour' | 'day'): number {
  return Math.floor(ms / UNIT_MS[unit]) * UNIT_MS[unit]
}

function label(ms: number, unit: 'hour' | 'day'): string {
  const iso = new Date(ms).toISOString()
  return unit === 'hour' ? `${iso.slice(0, 10)} ${iso.slice(11, 13)}:00` : iso.slice(0, 10)
}

/**
 * One bar per hour (or day) from `fromMs` to `toMs` inclusive, zero where no row matches. Without `fromMs`, the
 * series starts at the earliest row; without `toMs` it ends at the latest.
 *
 * @example timeSeries([{ key: '2026-11-27T10:00:00.000Z', count: 3, errors: 1 }], 'hour')
 */
export function timeSeries(rows: TimeRow[], unit: 'hour' | 'day', fromMs?: number, toMs?: number): Bar[] {
  const byBucket = new Map<number, TimeRow>()
  for (const r of rows) {
    const t = r.key ? Date.parse(r.key) : Number.NaN
    if (!Number.isNaN(t)) byBucket.set(floorTo(t, unit), r)
  }
  const keys = [...byBucket.keys()].sort((a, b) => a - b)
  if (!keys.length && (fromMs === undefined || toMs === undefined)) return []
  const start = floorTo(fromMs ?? keys[0]!, unit)
  const end = floorTo(toMs ?? keys[keys.length - 1]!, unit)
  if ((end - start) / UNIT_MS[unit] + 1 > MAX_BUCKETS) {
    return keys.map((k) => ({ label: label(k, unit), value: byBucket.get(k)!.count, part: byBucket.get(k)!.errors }))
  }
  const bars: Bar[] = []
  for (let t = start; t <= end; t += UNIT_MS[unit]) {
    const r = byBucket.get(t)
    bars.push({ label: label(t, unit), value: r?.count ?? 0, part: r?.errors ?? 0 })
  }
  return bars
}
