import { randomBytes } from 'node:crypto'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { ARCHIVE_CODECS, compressArchive, decompressArchive } from './archive-codec.js'

const line = (i: number) => `{"id":"${i}","text":"the export job timed out twice last week (${i})"}\n`
const ndjson = (lines: number) => Buffer.from(Array.from({ length: lines }, (_, i) => line(i)).join(''))

// Archives are read by other tools too (zcat, brotli), so each is checked against zlib's one-shot decoders as well
// as our own reader.
const standard = { gzip: gunzipSync, brotli: brotliDecompressSync }

// `encrypted` picks brotli's quality (0 for ciphertext, 1 for clear text); gzip ignores it.
const cases = ARCHIVE_CODECS.flatMap((codec) => [false, true].map((encrypted) => [codec, encrypted] as const))

describe.each(cases)('%s archives (encrypted: %s)', (codec, encrypted) => {
  it.each([
    ['an NDJSON segment', ndjson(8_000)],
    // Nothing to shrink: the archive comes out a little larger than its input.
    ['incompressible bytes', randomBytes(300_000)],
    ['one byte', Buffer.from('x')],
    ['nothing', Buffer.alloc(0)],
  ])('round-trips %s', async (_, raw) => {
    const archive = await compressArchive(raw, codec, encrypted)
    expect(standard[codec](archive).equals(raw)).toBe(true)
    expect((await decompressArchive(archive, codec)).equals(raw)).toBe(true)
  })

  it('reads back a segment larger than one output buffer (4 MiB)', async () => {
    const raw = ndjson(120_000)
    expect(raw.length).toBeGreaterThan(4 * 1024 * 1024)
    const back = await decompressArchive(await compressArchive(raw, codec, encrypted), codec)
    expect(back.equals(raw)).toBe(true)
  })

  it('reads a segment back into memory of about its size (readers hold several at once)', async () => {
    const raw = ndjson(15_000)
    const back = await decompressArchive(await compressArchive(raw, codec, encrypted), codec)
    expect(back.equals(raw)).toBe(true)
    expect(back.buffer.byteLength).toBeLessThanOrEqual(2 * raw.length)
  })

  it('rejects bytes that are not an archive of the codec', async () => {
    await expect(decompressArchive(Buffer.from('not an archive at all'), codec)).rejects.toThrow()
  })
})
