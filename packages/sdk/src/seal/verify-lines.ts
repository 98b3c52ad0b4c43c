import { hash as digest } from 'node:crypto'
import type { ChainHead } from './chain.js'

/** How far the fast path got through a buffer of NDJSON lines. */
export interface FastLinesResult {
  /** Head after the lines proven intact (where the careful path resumes). */
  head: ChainHead
  /** Lines proven intact (also the 0-based line index of `offset`). */
  records: number
  /**
   * Byte offset where the careful path must take over, `buf.length` when every line was proven. On a
   * failure it is one line early (the last proven line is handed back) so that a broken link can still
   * name the record that was rewritten before it.
   */
  offset: number
}

const HASH_MEMBER = Buffer.from('"hash":"')
const SEQ_MEMBER = Buffer.from(',"seq":')
const SESSION_NEXT = ',"session_id"'
const PREV_MEMBER = Buffer.from('"prev_hash":"')
const NL = 0x0a
const COMMA = 0x2c
const QUOTE = 0x22

/**
 * Proves the common case of a segment, intact canonical lines, straight from the file's bytes: no UTF-8
 * decoding, no JSON.parse, no per-line objects or promises. A line passes when SHA-256 of its bytes minus
 * the `,"hash":"…"` member equals that hash, it holds `"seq":<head.seq + 1>,` and `"prev_hash":"<head.hash>"`,
 * and it agrees with any signed checkpoint. Finding those members by text is as strong as parsing: the hash
 * covers the whole line, so a line that carries them anywhere but at the top level was written by whoever
 * computed its hash, and the next record's link or a signed checkpoint still decides (see verify-chain.ts).
 * The first line that does not pass stops the loop; `verifyChain` then names the exact problem.
 *
 * Hot path of `promptledger verify`: one indexOf per member, one copy into a reused scratch buffer and one
 * native one-shot digest per record.
 *
 * @example
 * const fast = verifyLinesFast(bytes, start, checkpoints)
 * if (fast.offset < bytes.length) await verifyChain(entriesFrom(bytes, fast.offset), { stream, start: fast.head })
 */
export function verifyLinesFast(
  buf: Buffer,
  start: ChainHead,
  checkpoints?: ReadonlyMap<number, string>,
): FastLinesResult {
  const stream = start.stream
  let head = start
  let before = start
  let resumeOffset = 0
  let records = 0
  let pos = 0
  let scratch = Buffer.allocUnsafe(4096)
  while (pos < buf.length) {
    const nl = buf.indexOf(NL, pos)
    if (nl < 0) break // torn last line: the careful path reports it
    const at = buf.indexOf(HASH_MEMBER, pos)
    if (at < pos + 1 || at + 73 >= nl || buf[at - 1] !== COMMA || buf[at + 72] !== QUOTE) break
    const seq = head.seq + 1
    // Members are found with constant needles and compared in place: a needle built per record
    // (`"seq":N`) is re-encoded by every indexOf. The top-level seq is the line's last `,"seq":`
    // (only session_id, signals, span_id, status, stream, tags, trace_id, ts, ttft_ms, usage, user_id and v follow).
    const seqText = String(seq)
    const seqAt = buf.lastIndexOf(SEQ_MEMBER, nl)
    if (seqAt < pos) break
    const digits = seqAt + 7
    if (buf.toString('latin1', digits, digits + seqText.length + SESSION_NEXT.length) !== seqText + SESSION_NEXT) break
    const prevAt = buf.indexOf(PREV_MEMBER, pos)
    if (prevAt < 0 || prevAt > nl || buf.toString('latin1', prevAt + 13, prevAt + 78) !== `${head.hash}"`) break
    // The hashed text is the line without `,"hash":"<64 hex>"` (74 bytes from the comma).
    const len = nl - pos - 74
    if (scratch.length < len) scratch = Buffer.allocUnsafe(len * 2)
    buf.copy(scratch, 0, pos, at - 1)
    buf.copy(scratch, at - 1 - pos, at + 73, nl)
    const h = buf.toString('latin1', at + 8, at + 72)
    if (digest('sha256', scratch.subarray(0, len)) !== h) break
    const signed = checkpoints?.get(seq)
    if (signed !== undefined && signed !== h) break
    before = head
    resumeOffset = pos
    head = { stream, seq, hash: h }
    records++
    pos = nl + 1
  }
  if (pos >= buf.length || records === 0) return { head, records, offset: pos }
  return { head: before, records: records - 1, offset: resumeOffset }
}
