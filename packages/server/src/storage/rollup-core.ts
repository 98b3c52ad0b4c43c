import type { RecordColumns } from './record-columns.js'
import type { GroupBy, RecordFilter } from './storage.js'

/**
 * Rollups, the part every backend shares (its table lives in each backend: sqlite/sqlite-rollup.ts,
 * postgres/postgres-rollup.ts). One `stats_hourly` row per (span, start, model, provider, app, status) with the counts and sums
 * stats report plus log-scale histograms of latency and ttft, for hours and for days (`span` in ms; the
 * `hour` column is the bucket's start). Stats over large selections add up day rows (hour rows where a window
 * or `group_by=hour` needs them) instead of scanning a million records (the sums were the cost of the scan).
 *
 * Precision: counts, errors, tokens, cost (and how many records had one), response chars, uncertain, PII leaks and the injection maximum
 * are exact. Percentiles from histograms have buckets growing by 2 %, and report the bucket's midpoint:
 * a relative error of at most 1 % (values ≤ 0 are exact 0; values under 0.001 ms count as 0.001).
 * Selections of at most `exactLimit` records (the storage option) use the exact scan instead.
 */
const GROWTH = 1.02
const LOG_GROWTH = Math.log(GROWTH)
/** Bucket 0 holds values ≤ 0; buckets 1… start at 0.001 (log base 1.02 of 0.001 ≈ -349). */
const OFFSET = 350
export const BUCKETS = 2048
export const HOUR_MS = 3_600_000
export const DAY_MS = 86_400_000

export function bucketOf(value: number): number {
  if (!(value > 0)) return 0
  const i = Math.ceil(Math.log(value) / LOG_GROWTH) + OFFSET
  return i < 1 ? 1 : i >= BUCKETS ? BUCKETS - 1 : i
}

/** The midpoint of a bucket: every value in it is within 1 % of it. */
export function bucketValue(i: number): number {
  if (i === 0) return 0
  const upper = GROWTH ** (i - OFFSET)
  return (upper * (1 + 1 / GROWTH)) / 2
}

export interface Rollup {
  span: number
  hour: number
  model: string | null
  provider: string | null
  app: string | null
  status: string
  count: number
  inputTokens: number
  outputTokens: number
  cost: number
  /** Records with a known `cost_usd` (the rest, an unpriced model's, add nothing to `cost`). */
  costN: number
  rcSum: number
  rcN: number
  uncertain: number
  piiLeaks: number
  injectionMax: number | null
  /** Dense bucket counts: merging thousands of rollup rows is typed-array adds, no hashing. */
  latency: Float64Array
  ttft: Float64Array
}

/**
 * Histogram blob: one little-endian uint32 per non-empty bucket, `bucket << 21 | count`; a count of 2^21 - 1
 * or more is written as `bucket << 21 | 0x1fffff` followed by the count. Small rows keep the stats read to
 * a few pages per thousand rollups.
 */
const COUNT_BITS = 21
const COUNT_MASK = 0x1fffff

export function histBlob(h: Float64Array): Buffer {
  const out: number[] = []
  for (let b = 0; b < BUCKETS; b++) {
    const n = h[b]!
    if (n === 0) continue
    if (n < COUNT_MASK) out.push(((b << COUNT_BITS) | n) >>> 0)
    else out.push(((b << COUNT_BITS) | COUNT_MASK) >>> 0, n)
  }
  const words = Uint32Array.from(out)
  return Buffer.from(words.buffer, words.byteOffset, words.byteLength)
}

export function addHist(into: Float64Array, blob: Buffer): void {
  // Aligned blobs are read in place; one at an odd offset is copied first.
  const w =
    blob.byteOffset % 4 === 0
      ? new Uint32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4)
      : new Uint32Array(new Uint8Array(blob).buffer)
  for (let i = 0; i < w.length; i++) {
    const b = w[i]! >>> COUNT_BITS
    const n = w[i]! & COUNT_MASK
    into[b]! += n === COUNT_MASK ? w[++i]! : n
  }
}

/**
 * One group's rollup as a batch collects it: the sums, and each record's histogram bucket in a plain list.
 * Hot path (two per ingested record): a dense 2048-bucket histogram per group meant allocating and walking
 * 32 KB per group and batch, which cost more than the rows' inserts (bench/ingest.bench.ts --only=stages).
 */
export interface PendingRollup extends Omit<Rollup, 'latency' | 'ttft'> {
  /** The row's key: the JSON text of [span, hour, model, provider, app, status]. */
  k: string
  latency: number[]
  ttft: number[]
}

/** Collects one batch's rollups in memory; `Rollups.flush` merges them into `stats_hourly`. */
export class RollupBatch {
  readonly rows = new Map<string, PendingRollup>()

  add(c: RecordColumns): void {
    // The group's part of the key is encoded once for both spans: `[span,start,` + its tail is the same
    // text as JSON.stringify([span, start, model, provider, app, status]) (integers encode as String does).
    const tail = JSON.stringify([c.model, c.provider, c.app, c.status]).slice(1)
    this.#add(c, HOUR_MS, tail)
    this.#add(c, DAY_MS, tail)
  }

  #add(c: RecordColumns, span: number, tail: string): void {
    const start = Math.floor(c.ts / span) * span
    const k = `[${span},${start},${tail}`
    let r = this.rows.get(k)
    if (!r) {
      // One object literal (a spread built it key by key, into a slower shape): every record updates it.
      r = {
        k,
        span,
        hour: start,
        model: c.model,
        provider: c.provider,
        app: c.app,
        status: c.status,
        count: 0,
        inputTokens: 0,
        outputTokens: 0,
        cost: 0,
        costN: 0,
        rcSum: 0,
        rcN: 0,
        uncertain: 0,
        piiLeaks: 0,
        injectionMax: null,
        latency: [],
        ttft: [],
      }
      this.rows.set(k, r)
    }
    r.count++
    r.inputTokens += c.input_tokens ?? 0
    r.outputTokens += c.output_tokens ?? 0
    if (c.cost !== null) {
      r.cost += c.cost
      r.costN++
    }
    if (c.response_chars !== null) {
      r.rcSum += c.response_chars
      r.rcN++
    }
    r.uncertain += c.uncertain
    if (c.pii_in_response > 0) r.piiLeaks++
    if (c.injection_score !== null && (r.injectionMax === null || c.injection_score > r.injectionMax))
      r.injectionMax = c.injection_score
    if (c.latency !== null) r.latency.push(bucketOf(c.latency))
    if (c.ttft !== null) r.ttft.push(bucketOf(c.ttft))
  }
}

/**
 * A stored histogram blob plus a batch's bucket list, as one blob: both are walked in bucket order and
 * merged, with no dense array in between.
 */
export function mergeHistBlob(old: Buffer | undefined, buckets: number[]): Buffer {
  const added = Uint32Array.from(buckets).sort()
  const w =
    old === undefined || old.byteLength === 0
      ? new Uint32Array(0)
      : old.byteOffset % 4 === 0
        ? new Uint32Array(old.buffer, old.byteOffset, old.byteLength / 4)
        : new Uint32Array(new Uint8Array(old).buffer)
  // At most two words per stored bucket and per added bucket.
  const out = new Uint32Array(w.length + 2 * added.length)
  let o = 0
  const put = (b: number, n: number) => {
    if (n < COUNT_MASK) out[o++] = ((b << COUNT_BITS) | n) >>> 0
    else {
      out[o++] = ((b << COUNT_BITS) | COUNT_MASK) >>> 0
      out[o++] = n
    }
  }
  let i = 0
  let j = 0
  while (i < w.length || j < added.length) {
    const oldBucket = i < w.length ? w[i]! >>> COUNT_BITS : BUCKETS
    const newBucket = j < added.length ? added[j]! : BUCKETS
    const b = Math.min(oldBucket, newBucket)
    let n = 0
    if (oldBucket === b) {
      const packed = w[i++]! & COUNT_MASK
      n += packed === COUNT_MASK ? w[i++]! : packed
    }
    while (j < added.length && added[j] === b) {
      n++
      j++
    }
    put(b, n)
  }
  return Buffer.from(out.buffer, 0, o * 4)
}

function emptySums(
  span: number,
  hour: number,
  model: string | null,
  provider: string | null,
  app: string | null,
  status: string,
): Omit<Rollup, 'latency' | 'ttft'> {
  return {
    span,
    hour,
    model,
    provider,
    app,
    status,
    count: 0,
    inputTokens: 0,
    outputTokens: 0,
    cost: 0,
    costN: 0,
    rcSum: 0,
    rcN: 0,
    uncertain: 0,
    piiLeaks: 0,
    injectionMax: null,
  }
}

export function emptyRollup(
  span: number,
  hour: number,
  model: string | null,
  provider: string | null,
  app: string | null,
  status: string,
): Rollup {
  return {
    ...emptySums(span, hour, model, provider, app, status),
    latency: new Float64Array(BUCKETS),
    ttft: new Float64Array(BUCKETS),
  }
}

/** Adds a stored rollup row's sums into a rollup's (histograms apart). */
export function mergeSums(r: Omit<Rollup, 'latency' | 'ttft'>, old: Record<string, unknown>): void {
  r.count += old['count'] as number
  r.inputTokens += old['input_tokens'] as number
  r.outputTokens += old['output_tokens'] as number
  r.cost += old['cost'] as number
  r.costN += old['cost_n'] as number
  r.rcSum += old['rc_sum'] as number
  r.rcN += old['rc_n'] as number
  r.uncertain += old['uncertain'] as number
  r.piiLeaks += old['pii_leaks'] as number
  const max = old['injection_max'] as number | null
  if (max !== null && (r.injectionMax === null || max > r.injectionMax)) r.injectionMax = max
}

/** Merges a stored rollup row into an in-memory one. */
export function mergeRow(r: Rollup, old: Record<string, unknown>): void {
  mergeSums(r, old)
  addHist(r.latency, old['latency_hist'] as Buffer)
  addHist(r.ttft, old['ttft_hist'] as Buffer)
}

/** The rollup rows a stats call adds up: their span, and conditions on the rollup columns (`hour` bounds included). */
export interface RollupSelection {
  span: number
  /** Column and value pairs to match: `hour >=` / `hour <` for a window, `=` for the rest. */
  where: Array<{ column: 'hour' | 'model' | 'provider' | 'app' | 'status'; op: '>=' | '<' | '='; value: unknown }>
}

/**
 * Which rollup rows answer a stats call: day rows (24x fewer) unless hours are asked for or a window bound is not on
 * a day boundary; null when the filter needs record columns rollups do not keep (user, session, tag, q), a window
 * bound is not on an hour, or the grouping is by user.
 */
export function rollupSelection(filter: RecordFilter, groupBy: GroupBy | null): RollupSelection | null {
  if (groupBy === 'user_id') return null
  const onDay = (t: string | undefined) => t === undefined || Date.parse(t) % DAY_MS === 0
  const span = groupBy === 'hour' || !onDay(filter.from) || !onDay(filter.to) ? HOUR_MS : DAY_MS
  const where: RollupSelection['where'] = []
  for (const key of Object.keys(filter) as Array<keyof RecordFilter>) {
    const value = filter[key]
    if (value === undefined) continue
    if (key === 'from' || key === 'to') {
      const ms = Date.parse(value)
      // Rollups hold whole hours: a window must start and end on an hour boundary.
      if (Number.isNaN(ms) || ms % HOUR_MS !== 0) return null
      where.push({ column: 'hour', op: key === 'from' ? '>=' : '<', value: ms })
    } else if (key === 'model' || key === 'provider' || key === 'app' || key === 'status') {
      where.push({ column: key, op: '=', value })
    } else {
      return null
    }
  }
  return { span, where }
}
