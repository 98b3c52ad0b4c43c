import { readFileSync } from 'node:fs'
import { writeFileAtomic } from '../../crypto/secure-file.js'
import type { Checkpoint } from '../../seal/checkpoint.js'

/** Written beside every sealed segment; the checkpoint signs its last record. */
export interface SegmentManifest {
  stream: string
  file: string
  first_seq: number
  last_seq: number
  first_ts: string
  last_ts: string
  /** prev_hash of the first record: links this segment to the one before it. */
  prev_hash: string
  head_hash: string
  records: number
  /** Size and SHA-256 of the .ndjson.gz file. */
  bytes: number
  sha256: string
  checkpoint: Checkpoint
}

export function readManifest(file: string): SegmentManifest {
  return JSON.parse(readFileSync(file, 'utf8')) as SegmentManifest
}

export function writeManifest(file: string, manifest: SegmentManifest): void {
  writeFileAtomic(file, `${JSON.stringify(manifest, null, 2)}\n`)
}
