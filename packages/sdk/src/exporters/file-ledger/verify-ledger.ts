import { hash, webcrypto } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { type ChainHead, GENESIS_HASH } from '../../seal/chain.js'
import { type Checkpoint, PUBLIC_KEY_FILE, verifyCheckpoint, verifyCheckpointAsync } from '../../seal/checkpoint.js'
import { type LedgerProblem, verifyChain } from '../../seal/verify-chain.js'
import { verifyLinesFast } from '../../seal/verify-lines.js'
import { decompressArchive } from './archive-codec.js'
import { readManifest, type SegmentManifest } from './manifest.js'
import { listStreams, readPublicKey, readSegmentFile, segmentByteEntries, segmentEntries } from './read-ledger.js'
import { rescuedCount } from './rescue-file.js'
import {
  ANCHOR_FILE,
  archiveFile,
  CHECKPOINTS_FILE,
  listSegments,
  MANIFEST_EXT,
  sealedWithLeftover,
} from './segment-files.js'

/** Segments read and inflated ahead of the one being hashed. */
const PREFETCH = 8

/** A segment as read ahead: its NDJSON bytes, or the archive still to inflate when `inflate` is set. */
interface Loaded {
  text: Buffer | undefined
  raw: Buffer | undefined
  inflate?: boolean
  /** For an archive whose seal signs its digest: the digest and signature check, made ahead. */
  proof?: { bytes: number; digest: string; signed: boolean }
}

export interface StreamSummary {
  stream: string
  records: number
  segments: number
  checkpoints: number
  head: ChainHead
  /** Records rescued at a process's exit, not yet in the chain: the next ledger opened on the data dir seals them. */
  rescued: number
}

export type LedgerVerification =
  | { ok: true; streams: StreamSummary[] }
  | { ok: false; problem: LedgerProblem; streams: StreamSummary[] }

export interface VerifyLedgerOptions {
  /** PEM of the checkpoint public key; default: the `checkpoint-public-key.pem` beside the ledger. */
  publicKeyPem?: string
  /** Called after each record (or each archive proven whole), with an estimate of the total. */
  onProgress?: (done: number, total: number) => void
  /**
   * Inflate and re-hash the records of every sealed archive, even those whose digest the seal
   * checkpoint signs (see `ArchiveClaim`). Default false: such an archive is proven by its signed
   * SHA-256, and any mismatch falls back to the record-by-record check that names the problem.
   */
  deep?: boolean
}

/**
 * A sealed archive proven whole without inflating it: the seal checkpoint is validly signed, signs this
 * archive's SHA-256 and record range, and links to the chain verified so far. Anything else (older
 * seals without a claim, any mismatch) returns false and the caller checks record by record, which
 * names the exact problem. `digest` and `signed` are the archive's SHA-256 and the checkpoint's
 * signature check, computed ahead on the thread pool.
 */
function archiveProven(
  m: SegmentManifest,
  proof: { bytes: number; digest: string; signed: boolean },
  start: ChainHead,
  checkpoints: ReadonlyMap<number, string>,
): boolean {
  const cp = m.checkpoint
  const claim = cp?.archive
  if (!claim || !proof.signed) return false
  if (cp.stream !== start.stream || cp.seq !== m.last_seq || cp.hash !== m.head_hash) return false
  if (claim.first_seq !== start.seq + 1 || claim.prev_hash !== start.hash) return false
  if (claim.first_seq !== m.first_seq || claim.prev_hash !== m.prev_hash) return false
  if (claim.records !== m.last_seq - m.first_seq + 1 || claim.records !== m.records) return false
  if (claim.sha256 !== m.sha256 || proof.bytes !== m.bytes) return false
  const signedHead = checkpoints.get(m.last_seq)
  if (signedHead !== undefined && signedHead !== m.head_hash) return false
  return proof.digest === claim.sha256
}

/** SHA-256 (hex) on the thread pool: WebCrypto digests run there, beside this thread's work. */
async function digestHex(data: Buffer): Promise<string> {
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', data)).toString('hex')
}

/**
 * Reads and checks a stream's checkpoint log. Lines are parsed in order up to the first that is not
 * JSON; their signatures are checked all at once on the thread pool; the first failing line in file
 * order is reported, as a line-by-line check would.
 */
async function loadCheckpoints(
  streamDir: string,
  stream: string,
  key: string | undefined,
): Promise<{ map: Map<number, string>; problem?: LedgerProblem }> {
  const map = new Map<number, string>()
  const file = path.join(streamDir, CHECKPOINTS_FILE)
  if (!existsSync(file)) return { map }
  const text = readFileSync(file, 'utf8')
  const parsed: Checkpoint[] = []
  let unparsable: LedgerProblem | undefined
  for (const entry of segmentEntries(text, CHECKPOINTS_FILE)) {
    try {
      parsed.push(JSON.parse(entry.text!) as Checkpoint)
    } catch {
      const kind = entry.torn ? 'truncated' : 'altered'
      const line = parsed.length + 1
      unparsable = { kind, stream, seq: -1, file: CHECKPOINTS_FILE, line, message: 'checkpoint line is not JSON' }
      break
    }
  }
  const valid = await Promise.all(
    parsed.map((cp) => (key && cp.stream === stream ? verifyCheckpointAsync(cp, key) : Promise.resolve(false))),
  )
  for (let i = 0; i < parsed.length; i++) {
    const cp = parsed[i]!
    if (!valid[i]) {
      const message = key ? 'checkpoint signature is not valid' : 'no public key to check checkpoints'
      return {
        map,
        problem: { kind: 'bad-signature', stream, seq: cp.seq, file: CHECKPOINTS_FILE, line: i + 1, message },
      }
    }
    map.set(cp.seq, cp.hash)
  }
  return unparsable ? { map, problem: unparsable } : { map }
}

/**
 * Verifies every stream of a data dir: signatures of checkpoints, anchor and manifests; each archive's
 * SHA-256; every record's hash, link and seq; and that no signed checkpoint is beyond the last record.
 * Returns the first problem with the stream, seq, file and line it concerns.
 *
 * @example
 * const result = await verifyLedger('./promptledger-data')
 * if (!result.ok) console.error(result.problem.kind, result.problem.seq)
 */
export async function verifyLedger(dir: string, options: VerifyLedgerOptions = {}): Promise<LedgerVerification> {
  const key = options.publicKeyPem ?? readPublicKey(dir, PUBLIC_KEY_FILE)
  const streams: StreamSummary[] = []
  const fail = (problem: LedgerProblem): LedgerVerification => ({ ok: false, problem, streams })
  const names = listStreams(dir)
  let total = 0
  const manifests = new Map<string, SegmentManifest>()
  for (const stream of names) {
    const streamDir = path.join(dir, stream)
    for (const seg of listSegments(streamDir)) {
      if (seg.manifest) {
        try {
          const m = readManifest(path.join(streamDir, seg.base + MANIFEST_EXT))
          manifests.set(path.join(streamDir, seg.base), m)
          total += m.records
        } catch {
          // reported below, at the segment
        }
      } else total += 1000
    }
  }
  let done = 0
  const progress = options.onProgress
  const onRecord = progress ? () => progress(++done, Math.max(total, done)) : undefined

  for (const stream of names) {
    const streamDir = path.join(dir, stream)
    const cps = await loadCheckpoints(streamDir, stream, key)
    if (cps.problem) return fail(cps.problem)
    let start: ChainHead | undefined
    const anchorFile = path.join(streamDir, ANCHOR_FILE)
    if (existsSync(anchorFile)) {
      const anchor = JSON.parse(readFileSync(anchorFile, 'utf8')) as Checkpoint
      if (!key || !verifyCheckpoint(anchor, key)) {
        return fail({
          kind: 'bad-signature',
          stream,
          seq: anchor.seq,
          file: ANCHOR_FILE,
          message: 'anchor signature is not valid',
        })
      }
      start = { stream, seq: anchor.seq, hash: anchor.hash }
    } else start = { stream, seq: -1, hash: GENESIS_HASH }
    const summary: StreamSummary = {
      stream,
      records: 0,
      segments: 0,
      checkpoints: cps.map.size,
      head: start,
      rescued: rescuedCount(streamDir),
    }
    streams.push(summary)
    const segs = listSegments(streamDir)
    const claimOf = (i: number) => {
      const cp = manifests.get(path.join(streamDir, segs[i]!.base))?.checkpoint
      return !options.deep && key && cp?.archive !== undefined ? cp : undefined
    }
    // Read and decompress (thread pool) the next segment while this one is hashed on the main thread. An
    // archive with a signed digest is only read, hashed and its seal signature checked (thread pool
    // too); it is inflated only if that does not prove it.
    const load = (i: number): Promise<Loaded> | undefined => {
      if (i >= segs.length) return undefined
      const cp = claimOf(i)
      if (cp && key) {
        // Read here, synchronously: this thread waits for the pool anyway, and one read call replaces the
        // four pool round trips of an async readFile; the digest and the signature go to the pool.
        let raw: Buffer
        try {
          raw = readFileSync(path.join(streamDir, archiveFile(segs[i]!)))
        } catch {
          return Promise.resolve({ text: undefined, raw: undefined })
        }
        return Promise.all([digestHex(raw), verifyCheckpointAsync(cp, key)]).then(([digest, signed]) => ({
          raw,
          text: undefined,
          inflate: true,
          proof: { bytes: raw.length, digest, signed },
        }))
      }
      return readSegmentFile(streamDir, segs[i]!).then(
        (f) => ({ text: f.bytes, raw: f.raw }),
        () => ({ text: undefined, raw: undefined }),
      )
    }
    // Several segments inflate at once on the thread pool (the other core) while this thread hashes:
    // with one in flight the hashing waited for inflating about a quarter of the time.
    const loads = Array.from({ length: Math.min(PREFETCH, segs.length) }, (_, i) => load(i))
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]!
      const loading = loads.shift()!
      const more = load(i + PREFETCH)
      if (more) loads.push(more)
      const sealed = !seg.active || sealedWithLeftover(seg)
      const file = sealed ? archiveFile(seg) : `${seg.base}.ndjson`
      const manifest = manifests.get(path.join(streamDir, seg.base))
      if (sealed && (!seg.archive || !manifest)) {
        return fail({
          kind: 'missing',
          stream,
          seq: seg.firstSeq,
          file,
          message: 'sealed segment without its archive or manifest',
        })
      }
      if (manifest && manifest.last_seq <= start.seq) continue // removed by retention after its anchor was written
      if (manifest && manifest.file !== file) {
        // The manifest names the archive it was written for, codec included: another file in its place
        // (a different codec's archive, a renamed one) is not the sealed segment.
        return fail({
          kind: 'altered',
          stream,
          seq: manifest.first_seq,
          file,
          message: `archive does not match its manifest, which names ${manifest.file}`,
        })
      }
      const loaded = await loading
      if (manifest && loaded.proof && archiveProven(manifest, loaded.proof, start, cps.map)) {
        summary.records += manifest.records
        summary.segments++
        start = { stream, seq: manifest.last_seq, hash: manifest.head_hash }
        if (progress) {
          done += manifest.records
          progress(done, Math.max(total, done))
        }
        continue
      }
      const raw = loaded.raw
      let text = loaded.text
      if (loaded.inflate && raw) text = await decompressArchive(raw, seg.archive ?? 'gzip').catch(() => undefined)
      if (text === undefined) {
        return fail({
          kind: 'altered',
          stream,
          seq: manifest?.first_seq ?? seg.firstSeq,
          file,
          line: 1,
          message: 'archive cannot be decompressed',
        })
      }
      // Intact lines are proven in one synchronous pass over the bytes; from the first line that does
      // not pass (one line early, see verify-lines.ts) the careful path names the problem.
      const fast = verifyLinesFast(text, start, cps.map)
      if (progress && fast.records > 0) {
        done += fast.records
        progress(done, Math.max(total, done))
      }
      const rest =
        fast.offset < text.length
          ? await verifyChain(segmentByteEntries(text, file, fast.offset, fast.records), {
              stream,
              start: fast.head,
              checkpoints: cps.map,
              onRecord,
            })
          : ({ ok: true, head: fast.head, records: 0 } as const)
      const result = { ...rest, records: fast.records + rest.records }
      summary.records += result.records
      if (!result.ok) return fail(result.problem)
      start = result.head
      summary.segments++
      if (manifest) {
        const m = manifest
        const at = { stream, file: seg.base + MANIFEST_EXT }
        if (
          !key ||
          !verifyCheckpoint(m.checkpoint, key) ||
          m.checkpoint.seq !== m.last_seq ||
          m.checkpoint.hash !== m.head_hash
        ) {
          return fail({
            ...at,
            kind: 'bad-signature',
            seq: m.last_seq,
            message: 'manifest checkpoint signature is not valid',
          })
        }
        if (result.head.seq < m.last_seq) {
          return fail({
            ...at,
            kind: 'truncated',
            seq: result.head.seq + 1,
            message: `archive ends at seq ${result.head.seq}, manifest says ${m.last_seq}`,
          })
        }
        if (
          result.head.hash !== m.head_hash ||
          hash('sha256', raw ?? readFileSync(path.join(streamDir, file))) !== m.sha256
        ) {
          return fail({ ...at, kind: 'altered', seq: m.last_seq, message: 'archive does not match its manifest' })
        }
      }
    }
    summary.head = start
    const lastSigned = Math.max(-1, ...cps.map.keys())
    if (lastSigned > start.seq) {
      return fail({
        kind: 'truncated',
        stream,
        seq: start.seq + 1,
        message: `records after seq ${start.seq} are missing; a checkpoint signs seq ${lastSigned}`,
      })
    }
  }
  return { ok: true, streams }
}
