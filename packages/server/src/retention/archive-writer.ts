import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createWriteStream, mkdirSync, renameSync } from 'node:fs'
import path from 'node:path'
import { createGzip } from 'node:zlib'
import { canonicalize, type LedgerRecord } from '@promptledger/sdk'
import type { ArchiveManifest, StreamRange } from './archive-manifest.js'
import { writeManifest } from './archive-manifest.js'

/**
 * Writes records into `<dir>/records-<stamp>.ndjson.gz` and, on `finish()`, a manifest naming each
 * stream's first `prev_hash` and head hash, the file's SHA-256 and the count. Records keep their
 * ciphertext, so an archive honours later erasures: the destroyed key opens none of it.
 *
 * @example
 * const w = new ArchiveWriter(dir, cutoff); for (const r of records) await w.write(r); const m = await w.finish()
 */
export class ArchiveWriter {
  readonly file: string
  readonly #tmp: string
  readonly #gzip = createGzip()
  readonly #out
  readonly #hash = createHash('sha256')
  readonly #streams = new Map<string, StreamRange>()
  readonly #cutoff: string
  #count = 0

  constructor(dir: string, cutoff: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const stamp = new Date().toISOString().replace(/[:.]/g, '-')
    this.file = path.join(dir, `records-${stamp}.ndjson.gz`)
    this.#tmp = `${this.file}.partial`
    this.#cutoff = cutoff
    this.#out = createWriteStream(this.#tmp, { mode: 0o600 })
    this.#gzip.on('data', (chunk: Buffer) => this.#hash.update(chunk))
    this.#gzip.pipe(this.#out)
  }

  async write(record: LedgerRecord): Promise<void> {
    const range = this.#streams.get(record.stream)
    if (!range) {
      this.#streams.set(record.stream, {
        count: 1,
        first_seq: record.seq,
        first_prev_hash: record.prev_hash,
        last_seq: record.seq,
        head_hash: record.hash,
      })
    } else {
      range.count++
      if (record.seq < range.first_seq) {
        range.first_seq = record.seq
        range.first_prev_hash = record.prev_hash
      }
      if (record.seq > range.last_seq) {
        range.last_seq = record.seq
        range.head_hash = record.hash
      }
    }
    this.#count++
    if (!this.#gzip.write(`${canonicalize(record)}\n`)) await once(this.#gzip, 'drain')
  }

  /** Closes the archive; the data file appears under its final name only when complete. */
  async finish(): Promise<ArchiveManifest> {
    this.#gzip.end()
    await once(this.#out, 'close')
    renameSync(this.#tmp, this.file)
    const streams: Record<string, StreamRange> = {}
    for (const [name, range] of [...this.#streams].sort(([a], [b]) => (a < b ? -1 : 1))) streams[name] = range
    return writeManifest(this.file, {
      v: 1,
      created: new Date().toISOString(),
      cutoff: this.#cutoff,
      file: path.basename(this.file),
      sha256: this.#hash.digest('hex'),
      count: this.#count,
      streams,
    })
  }
}
