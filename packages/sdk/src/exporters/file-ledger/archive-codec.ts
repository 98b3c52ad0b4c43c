import { promisify } from 'node:util'
import { brotliCompress, brotliDecompress, constants, gunzip, gzip } from 'node:zlib'

/**
 * How a sealed segment is compressed. The file extension says which (`.ndjson.gz`, `.ndjson.br`), so
 * every reader picks the codec from the name alone; archives of either codec may sit in one stream.
 */
export type ArchiveCodec = 'gzip' | 'brotli'

export const ARCHIVE_EXT: Readonly<Record<ArchiveCodec, string>> = { gzip: '.ndjson.gz', brotli: '.ndjson.br' }

/** Codecs in the order `listSegments` tries their extensions. */
export const ARCHIVE_CODECS: readonly ArchiveCodec[] = ['gzip', 'brotli']

// The async forms run on the libuv thread pool, so sealing and reading never stall the event loop.
const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)
const brotliAsync = promisify(brotliCompress)
const unbrotliAsync = promisify(brotliDecompress)

/** One output chunk per segment: zlib then calls back and concatenates once instead of every 16 KiB. */
const COMPRESS_CHUNK = 1024 * 1024
const DECOMPRESS_CHUNK = 4 * 1024 * 1024

/**
 * The codec for a segment. Encrypted content is base64 of ciphertext, near-incompressible: deflate's
 * level 1 spends several times brotli quality 1's CPU on it for an archive no smaller (1 MiB segments of
 * encrypted bench records: 12.6 vs 7.0 µs a record, ratio 0.363 vs 0.352), and sealing competes with
 * the write path for the cores. Clear segments stay gzip, the format every earlier reader and plain
 * `zcat` read; encrypted archives need the keyring to mean anything, so nothing is lost there.
 * Quality 0, not 1: on a real 1 MiB encrypted segment (559 records) it spends 7.2 against 12.3 µs a record for an
 * archive 8 % larger (ratio 0.420 against 0.389): there is next to nothing to find in base64 of ciphertext.
 */
export function codecFor(encrypted: boolean): ArchiveCodec {
  return encrypted ? 'brotli' : 'gzip'
}

/** Compresses one segment's NDJSON bytes. */
export function compressArchive(raw: Buffer, codec: ArchiveCodec): Promise<Buffer> {
  if (codec === 'brotli') {
    return brotliAsync(raw, {
      chunkSize: COMPRESS_CHUNK,
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 0,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    })
  }
  // Level 1 costs about 60% of level 6's CPU for a few percent larger archives (measured on 1 MiB
  // segments of the bench records: 3.0 vs 4.9 ms); sealing competes with the write path for the cores.
  return gzipAsync(raw, { level: 1, chunkSize: COMPRESS_CHUNK })
}

/** The NDJSON bytes of one archive; rejects when the bytes are not a valid stream of that codec. */
export function decompressArchive(raw: Buffer, codec: ArchiveCodec): Promise<Buffer> {
  return codec === 'brotli'
    ? unbrotliAsync(raw, { chunkSize: DECOMPRESS_CHUNK })
    : gunzipAsync(raw, { chunkSize: DECOMPRESS_CHUNK })
}
