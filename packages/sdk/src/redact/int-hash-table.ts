/**
 * A small open-addressing table from non-zero 32-bit word hashes to flag bytes. Lookups take an int32 and allocate
 * nothing, where a `Set<number>` boxes every hash outside the small-integer range (about half of them) and hashes
 * the box again. Used for the word lists that the recognizers consult once per word.
 *
 * @example
 * const t = new IntHashTable(8)
 * t.add(hash, 1)
 * t.get(hash) // 1
 */
export class IntHashTable {
  private readonly keys: Int32Array
  private readonly values: Uint8Array
  private readonly mask: number
  private size = 0

  /** `bits`: log2 of the slot count; keep it well above log2 of the entries (lookups of absent keys stop at a gap). */
  constructor(bits: number) {
    this.keys = new Int32Array(1 << bits)
    this.values = new Uint8Array(1 << bits)
    this.mask = (1 << bits) - 1
  }

  /**
   * ORs `flags` into the entry for `hash` (which must not be 0: 0 marks an empty slot). Throws rather than fill the
   * table past half its slots: a full table would never end a lookup of an absent key.
   */
  add(hash: number, flags: number): void {
    let slot = hash & this.mask
    while (this.keys[slot] !== 0 && this.keys[slot] !== hash) slot = (slot + 1) & this.mask
    if (this.keys[slot] === 0 && ++this.size * 2 > this.mask + 1) {
      throw new RangeError(`IntHashTable: more than ${(this.mask + 1) / 2} entries; give it more bits`)
    }
    this.keys[slot] = hash
    this.values[slot] = this.values[slot]! | flags
  }

  /** The flags stored for `hash`, or 0. */
  get(hash: number): number {
    let slot = hash & this.mask
    for (;;) {
      const k = this.keys[slot]!
      if (k === 0) return 0
      if (k === hash) return this.values[slot]!
      slot = (slot + 1) & this.mask
    }
  }
}
