import type { GroupBy, RecordFilter, StatsRow, Storage } from '../storage/storage.js'

/** The parts of a `StatsRow` that add up across time slices (sums, counts, and a max). */
export interface WindowTotals {
  key: string | null
  count: number
  errors: number
  /** Sum of the known costs (records of an unpriced model add nothing). */
  costUsd: number
  uncertain: number
  piiLeaks: number
  injectionMax: number | null
  /** Sum of response characters, and how many records it covers (for the average). */
  chars: number
  charsCount: number
}

export interface WindowStatsOptions {
  /** Width of a cached slice; windows are cut at these boundaries. */
  bucketMs?: number
  /** Slices ending this recently are not cached yet: records may still be arriving for them. */
  settleMs?: number
  /** Cached slices older than this since their fetch are re-read, a few per call, to pick up late records. */
  refreshAfterMs?: number
  /** How many stale slices one `totals` call re-reads at most (bounds the cost of a cycle). */
  refreshPerCall?: number
}

interface Slice {
  start: number
  rows: WindowTotals[]
  fetchedAt: number
  usedInCycle: number
}

/** Resolves after pending I/O callbacks have run. */
export const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

function fromRow(row: StatsRow): WindowTotals {
  const hasChars = row.avgResponseChars !== null
  return {
    key: row.key,
    count: row.count,
    errors: row.errors,
    costUsd: row.costUsd ?? 0,
    uncertain: row.uncertain,
    piiLeaks: row.piiLeaks,
    injectionMax: row.injectionMax,
    chars: hasChars ? row.avgResponseChars! * row.count : 0,
    charsCount: hasChars ? row.count : 0,
  }
}

function add(into: Map<string | null, WindowTotals>, rows: readonly WindowTotals[]): void {
  for (const r of rows) {
    const t = into.get(r.key)
    if (!t) {
      into.set(r.key, { ...r })
      continue
    }
    t.count += r.count
    t.errors += r.errors
    t.costUsd += r.costUsd
    t.uncertain += r.uncertain
    t.piiLeaks += r.piiLeaks
    t.chars += r.chars
    t.charsCount += r.charsCount
    if (r.injectionMax !== null && (t.injectionMax === null || r.injectionMax > t.injectionMax))
      t.injectionMax = r.injectionMax
  }
}

/**
 * Window totals built from cached 5-minute slices plus two small uncached edges, so a rule over the
 * last 24 hours reads only the minutes that changed since the previous cycle instead of the whole day.
 * Slices are read with the store's own `stats`, so every collector still computes the same values.
 *
 * @example
 * const stats = new WindowStats(storage)
 * const byApp = await stats.totals({}, 'app', now - 86_400_000, now, now)
 */
export class WindowStats {
  readonly #storage: Storage
  readonly #bucket: number
  readonly #settle: number
  readonly #refreshAfter: number
  readonly #refreshPerCall: number
  readonly #slices = new Map<string, Slice>()
  /** Uncached reads of this cycle: rules sharing a window (uncertainty and response length) read it once. */
  readonly #memo = new Map<string, Promise<WindowTotals[]>>()
  #cycle = 0
  /** Bumped by every `forget` that drops something: a read begun before it may miss the records it was told of. */
  #forgets = 0

  constructor(storage: Storage, options: WindowStatsOptions = {}) {
    this.#storage = storage
    this.#bucket = options.bucketMs ?? 300_000
    this.#settle = options.settleMs ?? 120_000
    this.#refreshAfter = options.refreshAfterMs ?? 600_000
    this.#refreshPerCall = options.refreshPerCall ?? 4
  }

  /** Cached slices (for tests and metrics). */
  get size(): number {
    return this.#slices.size
  }

  /**
   * Drops the cached slices that records stored late fall into (a spool delivered after an outage, an import: times
   * already settled when their slice was read), so that the next cycle counts them. Records newer than the settle
   * margin cannot be in a cached slice: normal traffic costs one comparison a record.
   */
  forget(timestamps: readonly number[], now: number): void {
    const settled = now - this.#settle
    const starts = new Set<number>()
    for (const ts of timestamps) if (ts < settled) starts.add(Math.floor(ts / this.#bucket) * this.#bucket)
    if (starts.size === 0) return
    for (const [key, slice] of this.#slices) if (starts.has(slice.start)) this.#slices.delete(key)
    // A read of this cycle may predate those records: another rule must not reuse it (through the memo) and cache it
    // again as the slice, which then stayed without them until its refresh age (an alert that never opened).
    this.#memo.clear()
    this.#forgets++
  }

  /** Starts a cycle; slices no call used in the previous cycle are dropped at the next `endCycle`. */
  beginCycle(): void {
    this.#cycle++
    this.#memo.clear()
  }

  endCycle(): void {
    for (const [key, slice] of this.#slices) if (slice.usedInCycle < this.#cycle) this.#slices.delete(key)
  }

  #read(where: RecordFilter, groupBy: GroupBy | null, from: number, to: number): Promise<WindowTotals[]> {
    const key = `${groupBy}\u0000${JSON.stringify(where)}\u0000${from}\u0000${to}`
    let rows = this.#memo.get(key)
    if (!rows) {
      const filter = { ...where, from: new Date(from).toISOString(), to: new Date(to).toISOString() }
      // SQLite answers synchronously: yielding first lets ingest and proxy requests run between slices,
      // so a cycle never holds the event loop for longer than one small query.
      rows = yieldToLoop()
        .then(() => this.#storage.stats(filter, groupBy))
        .then((r) => r.map(fromRow))
      this.#memo.set(key, rows)
      // A failed read is not remembered: the next rule tries the store again.
      rows.catch(() => this.#memo.delete(key))
    }
    return rows
  }

  /** Totals per group over `[from, to)`; `now` decides which slices are settled enough to cache. */
  async totals(
    where: RecordFilter,
    groupBy: GroupBy | null,
    from: number,
    to: number,
    now: number,
  ): Promise<Map<string | null, WindowTotals>> {
    const out = new Map<string | null, WindowTotals>()
    const b = this.#bucket
    const firstFull = Math.ceil(from / b) * b
    // Only slices that ended `settle` ago are cached; everything after is read fresh each time.
    const lastFull = Math.min(Math.floor(to / b) * b, Math.floor((now - this.#settle) / b) * b)
    if (lastFull - firstFull < b) {
      add(out, await this.#read(where, groupBy, from, to))
      return out
    }
    if (from < firstFull) add(out, await this.#read(where, groupBy, from, firstFull))
    if (lastFull < to) add(out, await this.#read(where, groupBy, lastFull, to))
    const prefix = `${groupBy}\u0000${JSON.stringify(where)}\u0000`
    const starts: number[] = []
    for (let start = firstFull; start < lastFull; start += b) starts.push(start)
    // A few stale slices (oldest fetch first) are re-read each call, so late records get counted at a bounded cost.
    const refresh = new Set(
      starts
        .filter((start) => {
          const slice = this.#slices.get(prefix + start)
          return slice !== undefined && now - slice.fetchedAt > this.#refreshAfter
        })
        .sort((x, y) => this.#slices.get(prefix + x)!.fetchedAt - this.#slices.get(prefix + y)!.fetchedAt)
        .slice(0, this.#refreshPerCall),
    )
    for (const start of starts) {
      const key = prefix + start
      let slice = this.#slices.get(key)
      if (!slice || refresh.has(start)) {
        const forgets = this.#forgets
        slice = {
          start,
          rows: await this.#read(where, groupBy, start, start + b),
          fetchedAt: now,
          usedInCycle: this.#cycle,
        }
        // Records stored while it was read may be missing from it: used for this call, not kept for the next.
        if (forgets === this.#forgets) this.#slices.set(key, slice)
      }
      slice.usedInCycle = this.#cycle
      add(out, slice.rows)
    }
    return out
  }
}
