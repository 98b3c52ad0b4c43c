import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib'

/** Sealed archives of either codec, as tests find them on disk. */
export const isArchive = (file: string) => file.endsWith('.ndjson.gz') || file.endsWith('.ndjson.br')

/** The NDJSON bytes of an archive, by its extension. */
export function inflate(file: string, bytes: Buffer): Buffer {
  return file.endsWith('.br') ? brotliDecompressSync(bytes) : gunzipSync(bytes)
}

/** Compresses `text` with the archive's own codec; `best` picks the other end of the codec's range. */
export function deflateLike(file: string, text: string | Buffer, best = false): Buffer {
  if (file.endsWith('.br')) {
    return brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: best ? 11 : 1 } })
  }
  return gzipSync(text, best ? { level: 9 } : {})
}
