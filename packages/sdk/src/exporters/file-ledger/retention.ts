import { existsSync, readFileSync, unlinkSync } from 'node:fs'
import path from 'node:path'
import { writeFileAtomic } from '../../crypto/secure-file.js'
import { readManifest, type SegmentManifest } from './manifest.js'
import { ANCHOR_FILE, archiveFile, CHECKPOINTS_FILE, listSegments, MANIFEST_EXT } from './segment-files.js'

export interface RetentionPolicy {
  /** Sealed segments whose last record is older than this are removed. */
  maxAgeDays: number
  /** Oldest sealed segments are removed while the stream folder is larger than this. */
  maxTotalBytes?: number | undefined
}

/**
 * Removes whole sealed segments from the oldest end. Before a segment goes, its signed checkpoint
 * (last seq and head hash) becomes the stream's `anchor.json`, so the ledger stays verifiable from the
 * oldest kept record: its `prev_hash` must equal the anchor's hash. The active segment is never removed.
 * Returns the removed archive names.
 *
 * `manifests` caches manifests by segment base across calls: a sealed segment's manifest never changes,
 * and the writer runs retention after every seal, which otherwise re-read every manifest of the stream.
 */
export function applyRetention(
  streamDir: string,
  policy: RetentionPolicy,
  activeBytes: number,
  now = Date.now(),
  manifests: Map<string, SegmentManifest> = new Map(),
): string[] {
  const sealed = listSegments(streamDir).filter((s) => s.archive && s.manifest && !s.active)
  const kept = new Set<string>()
  const read = sealed.map((s) => {
    kept.add(s.base)
    let m = manifests.get(s.base)
    if (!m) {
      m = readManifest(path.join(streamDir, s.base + MANIFEST_EXT))
      manifests.set(s.base, m)
    }
    return m
  })
  for (const base of manifests.keys()) if (!kept.has(base)) manifests.delete(base)
  let total = activeBytes + read.reduce((n, m) => n + m.bytes, 0)
  const cutoff = now - policy.maxAgeDays * 86_400_000
  const removed: string[] = []
  for (let i = 0; i < sealed.length; i++) {
    const m = read[i]!
    const tooOld = Date.parse(m.last_ts) < cutoff
    const tooBig = policy.maxTotalBytes !== undefined && total > policy.maxTotalBytes
    if (!tooOld && !tooBig) break
    // Anchor first: a crash between the two steps leaves an anchor that verify and the next open accept.
    writeFileAtomic(path.join(streamDir, ANCHOR_FILE), `${JSON.stringify(m.checkpoint)}\n`)
    unlinkSync(path.join(streamDir, archiveFile(sealed[i]!)))
    unlinkSync(path.join(streamDir, sealed[i]!.base + MANIFEST_EXT))
    manifests.delete(sealed[i]!.base)
    total -= m.bytes
    removed.push(archiveFile(sealed[i]!))
  }
  return removed
}

/**
 * Drops from the checkpoint log the checkpoints of records retention removed (seq below the anchor's),
 * so the log stays as bounded as the segments. The anchor's own checkpoint and any line that is not JSON
 * (verify reports it) are kept. Rewrites the log atomically; returns whether it changed, in which case the
 * writer must reopen it.
 */
export function compactCheckpointLog(streamDir: string): boolean {
  const anchorFile = path.join(streamDir, ANCHOR_FILE)
  const logFile = path.join(streamDir, CHECKPOINTS_FILE)
  if (!existsSync(anchorFile) || !existsSync(logFile)) return false
  const anchorSeq = (JSON.parse(readFileSync(anchorFile, 'utf8')) as { seq: number }).seq
  const lines = readFileSync(logFile, 'utf8').split('\n')
  const tail = lines.pop() // '' after the last newline; a torn line otherwise, kept as it is
  const kept = lines.filter((line) => {
    try {
      return !((JSON.parse(line) as { seq: number }).seq < anchorSeq)
    } catch {
      return true
    }
  })
  if (kept.length === lines.length) return false
  writeFileAtomic(logFile, kept.map((l) => `${l}\n`).join('') + (tail ?? ''))
  return true
}
