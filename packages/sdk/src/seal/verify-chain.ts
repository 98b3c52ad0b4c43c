import { hash as digest } from 'node:crypto'
import type { LedgerRecord } from '../record/schema.js'
import { type ChainHead, GENESIS_HASH, recordHash } from './chain.js'
import { lineMatchesHash } from './encode-record.js'

/** What is wrong with a ledger, in the words of `promptledger verify`. */
export type ProblemKind = 'altered' | 'missing' | 'reordered' | 'truncated' | 'bad-signature'

/** The first problem found: which stream, which record, where, and what. */
export interface LedgerProblem {
  kind: ProblemKind
  stream: string
  seq: number
  file?: string
  line?: number
  message: string
}

/** One record to check: a raw NDJSON line (file ledger) or an already parsed record (collector store). */
export interface ChainEntry {
  text?: string
  /** The line as UTF-8 bytes (file ledger): checked without decoding when it is intact. */
  bytes?: Buffer
  record?: LedgerRecord
  file?: string
  line?: number
  /** The line is the last of its file and has no newline: a torn write. */
  torn?: boolean
}

export interface VerifyChainOptions {
  stream: string
  /** Head before the first entry (an anchor, or the previous segment's last record). Default: the
   * first record starts the range, and must link to genesis when its seq is 0. */
  start?: ChainHead
  /** Signed checkpoints already verified, seq → hash: a rewritten chain cannot match them. */
  checkpoints?: ReadonlyMap<number, string>
  onRecord?: () => void
}

export type ChainCheckResult =
  | { ok: true; head: ChainHead; records: number }
  | { ok: false; problem: LedgerProblem; head: ChainHead; records: number }

function parse(entry: ChainEntry): LedgerRecord | undefined {
  if (entry.record) return entry.record
  if (entry.text === undefined && entry.bytes !== undefined) entry.text = entry.bytes.toString('utf8')
  try {
    return JSON.parse(entry.text!) as LedgerRecord
  } catch {
    return undefined
  }
}

function hashOk(entry: ChainEntry, r: LedgerRecord): boolean {
  if (typeof r.hash !== 'string') return false
  // Fast path: the line minus its hash member is the hashed text. Else re-encode canonically.
  if (entry.text !== undefined && lineMatchesHash(entry.text, r.hash)) return true
  try {
    return recordHash(r) === r.hash
  } catch {
    return false
  }
}

/**
 * The common case without JSON.parse: a canonical line whose text hashes to its `hash`, that holds the
 * expected `"seq":N,` and `"prev_hash":"…"` members, and agrees with any signed checkpoint. Finding those
 * members by text is as strong as parsing: the hash covers the whole line, so a line that carries them
 * anywhere but at the top level was written by whoever computed its hash, and the next record's link
 * or a signed checkpoint still decides. Returns the hash, or undefined to take the parsing path, which
 * names the exact problem.
 */
function fastCheck(
  line: string,
  head: ChainHead,
  checkpoints: ReadonlyMap<number, string> | undefined,
): string | undefined {
  // Top-level keys sort before "hash" only for app, cost_usd, enc, end_ts, environment and error, none of
  // which can hold a "hash" key, so the first `"hash":"` is the record's own.
  const at = line.indexOf('"hash":"')
  if (at < 0) return undefined
  const h = line.slice(at + 8, at + 72)
  const seq = head.seq + 1
  if (!line.includes(`"seq":${seq},"session_id"`) || !line.includes(`"prev_hash":"${head.hash}"`)) return undefined
  if (!lineMatchesHash(line, h)) return undefined
  const signed = checkpoints?.get(seq)
  if (signed !== undefined && signed !== h) return undefined
  return h
}

/** `fastCheck` on the raw bytes of a line: no UTF-8 decoding of intact lines, the costliest step otherwise. */
function fastCheckBytes(
  line: Buffer,
  head: ChainHead,
  checkpoints: ReadonlyMap<number, string> | undefined,
): string | undefined {
  const at = line.indexOf('"hash":"')
  if (at < 1 || line[at - 1] !== 44 /* , */ || line[at + 72] !== 34 /* " */) return undefined
  const h = line.toString('latin1', at + 8, at + 72)
  const seq = head.seq + 1
  if (line.indexOf(`"seq":${seq},"session_id"`) < 0 || line.indexOf(`"prev_hash":"${head.hash}"`) < 0) return undefined
  if (digest('sha256', Buffer.concat([line.subarray(0, at - 1), line.subarray(at + 73)])) !== h) return undefined
  const signed = checkpoints?.get(seq)
  if (signed !== undefined && signed !== h) return undefined
  return h
}

/**
 * Checks one stream's records in order: each record's hash is recomputed, `prev_hash` must be the
 * previous record's hash, `seq` must increase by one, and checkpointed seqs must carry the signed hash.
 * Works on any (async) iterable, so the collector verifies its store with the same code.
 *
 * @example
 * const result = await verifyChain(linesOf(file), { stream: 'app' })
 * if (!result.ok) console.error(result.problem)
 */
export async function verifyChain(
  entries: AsyncIterable<ChainEntry> | Iterable<ChainEntry>,
  options: VerifyChainOptions,
): Promise<ChainCheckResult> {
  const { stream, checkpoints } = options
  let head: ChainHead | undefined = options.start
  let records = 0
  let pending: ChainEntry | undefined
  const fail = (kind: ProblemKind, seq: number, at: ChainEntry | undefined, message: string): ChainCheckResult => ({
    ok: false,
    problem: { kind, stream, seq, file: at?.file, line: at?.line, message },
    head: head ?? { stream, seq: -1, hash: GENESIS_HASH },
    records,
  })
  let previous: ChainEntry | undefined
  const it = (
    Symbol.asyncIterator in entries
      ? entries[Symbol.asyncIterator]()
      : (entries as Iterable<ChainEntry>)[Symbol.iterator]()
  ) as AsyncIterator<ChainEntry> | Iterator<ChainEntry>
  const next = async (): Promise<ChainEntry | undefined> => {
    if (pending) {
      const p = pending
      pending = undefined
      return p
    }
    const n = await it.next()
    return n.done ? undefined : n.value
  }

  for (let entry = await next(); entry; entry = await next()) {
    const expected = head ? head.seq + 1 : 0
    const fast = !head
      ? undefined
      : entry.bytes !== undefined
        ? fastCheckBytes(entry.bytes, head, checkpoints)
        : entry.text !== undefined
          ? fastCheck(entry.text, head, checkpoints)
          : undefined
    if (fast === undefined && entry.bytes !== undefined && entry.text === undefined)
      entry.text = entry.bytes.toString('utf8')
    if (fast !== undefined) {
      head = { stream, seq: expected, hash: fast }
      records++
      previous = entry
      options.onRecord?.()
      continue
    }
    const r = parse(entry)
    if (!r) {
      if (entry.torn) return fail('truncated', expected, entry, 'the last line is cut short')
      return fail('altered', expected, entry, 'the line is not valid JSON')
    }
    if (!hashOk(entry, r)) {
      // Name the record by position when a start is known: the seq field itself may be what was altered.
      return fail(
        'altered',
        head || typeof r.seq !== 'number' ? expected : r.seq,
        entry,
        'the hash does not match the content',
      )
    }
    if (head === undefined && r.seq !== 0) head = { stream, seq: r.seq - 1, hash: r.prev_hash }
    const want = head ? head.seq + 1 : 0
    if (r.seq !== want) {
      if (r.seq < want) return fail('reordered', r.seq, entry, `seq ${r.seq} appears after seq ${want - 1}`)
      pending = await next()
      const p = pending ? parse(pending) : undefined
      if (p && p.seq === want) return fail('reordered', want, entry, `seq ${r.seq} appears before seq ${want}`)
      return fail(
        'missing',
        want,
        entry,
        `seq ${want}${r.seq - want > 1 ? `..${r.seq - 1}` : ''} missing before seq ${r.seq}`,
      )
    }
    const prevHash = head ? head.hash : GENESIS_HASH
    if (r.prev_hash !== prevHash) {
      // The record's prev_hash says what the previous record's hash was: the previous one was changed.
      if (previous)
        return fail('altered', want - 1, previous, `record was rewritten: seq ${want} links to another hash`)
      return fail('altered', want, entry, 'prev_hash does not continue the chain')
    }
    const signed = checkpoints?.get(r.seq)
    if (signed !== undefined && signed !== r.hash) {
      return fail(
        'altered',
        r.seq,
        entry,
        'the hash differs from the signed checkpoint: the chain was rewritten up to here',
      )
    }
    head = { stream, seq: r.seq, hash: r.hash }
    records++
    previous = entry
    options.onRecord?.()
  }
  return { ok: true, head: head ?? { stream, seq: -1, hash: GENESIS_HASH }, records }
}
