/**
 * Bounds the distinct values a label may take. Model, app and entity names come from clients; without a
 * cap one misbehaving client could create unbounded time series and exhaust the collector's memory.
 */
export class LabelCap {
  readonly #seen = new Set<string>()
  readonly #max: number

  constructor(max: number) {
    this.#max = max
  }

  /** The value itself while the cap has room (or it was seen before), `other` afterwards; `none` for null. */
  value(raw: string | null | undefined): string {
    if (raw === null || raw === undefined || raw === '') return 'none'
    if (this.#seen.has(raw)) return raw
    if (this.#seen.size >= this.#max) return 'other'
    this.#seen.add(raw)
    return raw
  }
}
