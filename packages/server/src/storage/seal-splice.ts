import { hash } from 'node:crypto'

/** Width of the `seq` placeholder: a 16-digit number, wider than any seq a stream reaches. */
export const SEQ_DIGITS = 16
/** Numbers per record in {@link EncodedBatch.layout}: where `hash` goes, and where `prev_hash` and `seq` are. */
export const LAYOUT_WIDTH = 3

/**
 * Canonical bodies of a batch, encoded before the chain is known (ingest/seal-encoder.ts): each is the record's
 * canonical JSON without `hash`, with placeholders for the `prev_hash` value (64 characters) and the `seq` digits
 * ({@link SEQ_DIGITS}). `layout` holds, per body, the offset where the `hash` member goes (before `,"id":`), of
 * the `prev_hash` value and of the `seq` digits (UTF-16 offsets). The seal patches the chain's values in
 * ({@link spliceSeal}) instead of encoding the record again: it needs the text only, so it can run on another
 * thread than the one that parsed the record.
 */
export interface EncodedBatch {
  bodies: string[]
  layout: Int32Array
}

/**
 * Seals one encoded body as record `seq` after `prevHash`: the hash and line `Chain.sealEncoded` gives for the
 * record (the hash is SHA-256 of the canonical JSON without `hash`, and `hash` sorts right before `id`; `prev_hash`
 * and `seq` sort after both). No import but node:crypto: the writer thread loads this module.
 *
 * @example
 * const { hash, line } = spliceSeal(batch.bodies[0], batch.layout, 0, 0, GENESIS_HASH)
 */
export function spliceSeal(
  encoded: string,
  layout: Int32Array,
  index: number,
  seq: number,
  prevHash: string,
): { hash: string; line: string } {
  const o = index * LAYOUT_WIDTH
  const idAt = layout[o]!
  const prevAt = layout[o + 1]!
  const seqAt = layout[o + 2]!
  const body = `${encoded.slice(0, prevAt)}${prevHash}${encoded.slice(prevAt + 64, seqAt)}${seq}${encoded.slice(seqAt + SEQ_DIGITS)}`
  const h = hash('sha256', body)
  return { hash: h, line: `${body.slice(0, idAt)},"hash":"${h}"${body.slice(idAt)}` }
}
