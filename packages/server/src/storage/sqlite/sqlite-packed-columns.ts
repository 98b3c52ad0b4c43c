import type { RecordColumns } from '../record-columns.js'

/** String columns per record in {@link PackedColumns.strings}. */
const STRINGS = 7
/** Number columns per record in {@link PackedColumns.numbers} (null is NaN). */
const NUMBERS = 10

/**
 * A batch's records-row columns and tags in flat arrays, for the message to the writer thread: a structured
 * clone of one object per record cost about 5 µs a record on the ingest bench (serialize and deserialize),
 * flat arrays a fraction of it. `seq` is not packed: the writer assigns it.
 */
export interface PackedColumns {
  stream: string
  strings: Array<string | null>
  numbers: Float64Array
  tags: string[]
  /** Per record, how many of `tags` are its. */
  tagCounts: Int32Array
}

const num = (v: number | null): number => (v === null ? Number.NaN : v)
const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v)

/** Packs columns of one stream's records (`stream` is the first record's). */
export function packColumns(columns: readonly RecordColumns[], tags: ReadonlyArray<readonly string[]>): PackedColumns {
  const n = columns.length
  // Built by push: a packed array (see SealEncoder.batch) is cloned to the writer thread densely.
  const strings: Array<string | null> = []
  const numbers = new Float64Array(n * NUMBERS)
  const flatTags: string[] = []
  const tagCounts = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const c = columns[i]!
    strings.push(c.id, c.model, c.provider, c.user_id, c.session_id, c.app, c.status)
    let o = i * NUMBERS
    numbers[o++] = c.ts
    numbers[o++] = num(c.latency)
    numbers[o++] = num(c.ttft)
    numbers[o++] = num(c.input_tokens)
    numbers[o++] = num(c.output_tokens)
    numbers[o++] = num(c.cost)
    numbers[o++] = num(c.response_chars)
    numbers[o++] = c.uncertain
    numbers[o++] = c.pii_in_response
    numbers[o] = num(c.injection_score)
    const t = tags[i]!
    tagCounts[i] = t.length
    for (let k = 0; k < t.length; k++) flatTags.push(t[k]!)
  }
  return { stream: columns[0]?.stream ?? '', strings, numbers, tags: flatTags, tagCounts }
}

/** The columns of every record of a packed batch, `seq` set to -1 (the writer assigns it), and their tags. */
export function unpackColumns(p: PackedColumns): { columns: RecordColumns[]; tags: string[][] } {
  const n = p.tagCounts.length
  const columns: RecordColumns[] = new Array(n)
  const tags: string[][] = new Array(n)
  let t = 0
  for (let i = 0; i < n; i++) {
    const s = i * STRINGS
    const o = i * NUMBERS
    columns[i] = {
      id: p.strings[s]!,
      ts: p.numbers[o]!,
      stream: p.stream,
      seq: -1,
      model: p.strings[s + 1]!,
      provider: p.strings[s + 2]!,
      user_id: p.strings[s + 3]!,
      session_id: p.strings[s + 4]!,
      app: p.strings[s + 5]!,
      status: p.strings[s + 6]!,
      latency: orNull(p.numbers[o + 1]!),
      ttft: orNull(p.numbers[o + 2]!),
      input_tokens: orNull(p.numbers[o + 3]!),
      output_tokens: orNull(p.numbers[o + 4]!),
      cost: orNull(p.numbers[o + 5]!),
      response_chars: orNull(p.numbers[o + 6]!),
      uncertain: p.numbers[o + 7]!,
      pii_in_response: p.numbers[o + 8]!,
      injection_score: orNull(p.numbers[o + 9]!),
    }
    tags[i] = p.tags.slice(t, t + p.tagCounts[i]!)
    t += p.tagCounts[i]!
  }
  return { columns, tags }
}
