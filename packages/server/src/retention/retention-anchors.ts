import { readFileSync } from 'node:fs'
import path from 'node:path'
import { writeFileAtomic } from '@promptledger/sdk'

/** Per stream, the last record retention removed: where verification of the remaining records starts. */
export type RetentionAnchors = Record<string, { seq: number; hash: string }>

/** The anchors file of a data dir. */
export function anchorsFileOf(dataDir: string): string {
  return path.join(dataDir, 'retention-anchors.json')
}

/**
 * Reads `<data>/retention-anchors.json`; empty when retention never removed anything.
 *
 * @example
 * const start = readAnchors(file)['collector-a'] // { seq: 41, hash: '…' } or undefined
 */
export function readAnchors(file: string): RetentionAnchors {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RetentionAnchors
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw err
  }
}

/** Records new anchors, keeping the later one per stream (runs may overlap from the server and the CLI). */
export function writeAnchors(file: string, found: RetentionAnchors): void {
  const anchors = readAnchors(file)
  for (const [stream, anchor] of Object.entries(found)) {
    const known = anchors[stream]
    if (!known || anchor.seq > known.seq) anchors[stream] = anchor
  }
  writeFileAtomic(file, `${JSON.stringify(anchors, null, 2)}\n`)
}
