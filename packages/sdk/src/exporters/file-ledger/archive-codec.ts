import {
  type BrotliCompress,
  type BrotliDecompress,
  constants,
  createBrotliCompress,
  createBrotliDecompress,
  createGunzip,
  createGzip,
  type Gunzip,
  type Gzip,
} from 'node:zlib'

/**
 * How a sealed segment is compressed. The file extension says which (`.ndjson.gz`, `.ndjson.br`), so
 * every reader picks the codec from the name alone; archives of either codec may sit in one stream.
 */
export type ArchiveCodec = 'gzip' | 'brotli'

export const ARCHIVE_EXT: Readonly<Record<ArchiveCodec, string>> = { gzip: '.ndjson.gz', brotli: '.ndjson.br' }

/** Codecs in the order `listSegments` tries their extensions. */
export const ARCHIVE_CODECS: readonly ArchiveCodec[] = ['gzip', 'brotli']

/** Room zlib may need beyond the input for data it cannot shrink (block and stream headers). */
const COMPRESS_SLACK = 64 * 1024
const DECOMPRESS_CHUNK = 4 * 1024 * 1024

/**
 * How a ledger picks the codec of its archives: one of the codecs, or `auto` (the default): gzip level 1 for
 * segments of clear records (`.ndjson.gz`, which `zcat` reads), brotli for segments of encrypted records, whose
 * base64 of ciphertext gzip compresses no better at five times the CPU (1 MiB segment of 560 encrypted records:
 * gzip level 1 15.1 µs a record, ratio 0.395; brotli quality 0 2.8 µs, ratio 0.421). `brotli` for clear records
 * too is the cheaper choice where `zcat` does not matter: on 1 MiB segments of 602 clear records built from the PII
 * corpora's texts (`node`, one core), quality 1 compresses in 2.2 against gzip level 1's 6.2 ms (3.6 against 10.2 µs
 * a record), to 0.199 against 0.253 of the size, and inflates in 1.7 against 2.9 ms; sealing competes with the
 * write path for the cores, and `verify --deep` reads every archive back.
 */
export type ArchiveChoice = ArchiveCodec | 'auto'

/** The codec of a segment's archive under `choice` (see `ArchiveChoice`). */
export function codecFor(choice: ArchiveChoice, encrypted: boolean): ArchiveCodec {
  if (choice !== 'auto') return choice
  return encrypted ? 'brotli' : 'gzip'
}

/**
 * brotli's quality for a segment. Encrypted content is base64 of ciphertext, near-incompressible: quality 0 finds
 * next to as much there as quality 1 (a 1 MiB segment of 560 encrypted records: 2.8 against 3.4 µs a record, ratio
 * 0.421 against 0.389). Clear text gives quality 1 more to find for a little more CPU (3.6 against 2.7 µs a record,
 * ratio 0.199 against 0.235, on the clear segment above).
 */
function brotliQuality(encrypted: boolean): number {
  return encrypted ? 0 : 1
}

/** Compresses one segment's NDJSON bytes; `encrypted` when its records hold ciphertext (see `brotliQuality`). */
export function compressArchive(raw: Buffer, codec: ArchiveCodec, encrypted = false): Promise<Buffer> {
  // One output buffer that holds the whole archive: its pieces then lie back to back (see `run`).
  const chunkSize = raw.length + COMPRESS_SLACK
  if (codec === 'brotli') {
    return run(
      createBrotliCompress({
        chunkSize,
        params: {
          [constants.BROTLI_PARAM_QUALITY]: brotliQuality(encrypted),
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
        },
      }),
      raw,
    )
  }
  // Level 1 costs about 60% of level 6's CPU for a few percent larger archives (1 MiB segments of the bench
  // records: 3.0 vs 4.9 ms).
  return run(createGzip({ level: 1, chunkSize }), raw)
}

/** The NDJSON bytes of one archive; rejects when the bytes are not a valid stream of that codec. */
export async function decompressArchive(raw: Buffer, codec: ArchiveCodec): Promise<Buffer> {
  const chunkSize = DECOMPRESS_CHUNK
  const out = await run(codec === 'brotli' ? createBrotliDecompress({ chunkSize }) : createGunzip({ chunkSize }), raw)
  // The output buffer is sized before the length is known: a 1 MiB segment would keep 4 MiB alive, and readers
  // hold several segments at once (verify reads ahead). A view of less than half its buffer is copied out.
  return out.buffer.byteLength > 2 * out.length ? Buffer.from(out) : out
}

/**
 * All of `input` through one zlib stream, on the libuv thread pool (sealing and reading never stall the event
 * loop). zlib writes its output into a buffer of `chunkSize` bytes piece by piece, in order, and starts a new one
 * only when it is full: pieces that lie back to back in one buffer are returned as one view of it. Node's one-shot
 * `gzip()`/`brotliCompress()` copy every result of more than one piece into a fresh buffer instead
 * (`Buffer.concat`, on the event loop).
 */
function run(stream: Gzip | Gunzip | BrotliCompress | BrotliDecompress, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const pieces: Buffer[] = []
    let length = 0
    stream.on('data', (piece: Buffer) => {
      pieces.push(piece)
      length += piece.length
    })
    stream.on('error', reject)
    stream.once('end', () => resolve(joined(pieces, length)))
    stream.end(input)
  })
}

function joined(pieces: readonly Buffer[], length: number): Buffer {
  if (pieces.length === 1) return pieces[0]!
  if (pieces.length === 0) return Buffer.alloc(0)
  const first = pieces[0]!
  for (let i = 1; i < pieces.length; i++) {
    const prev = pieces[i - 1]!
    const piece = pieces[i]!
    if (piece.buffer !== first.buffer || piece.byteOffset !== prev.byteOffset + prev.length) {
      return Buffer.concat(pieces as Buffer[], length)
    }
  }
  return Buffer.from(first.buffer, first.byteOffset, length)
}
