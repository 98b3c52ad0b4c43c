import { readdirSync } from 'node:fs'

/** Active segments end in `.ndjson`; sealed ones are `.ndjson.gz` beside a `.manifest.json`. */
export const ACTIVE_EXT = '.ndjson'
export const SEALED_EXT = '.ndjson.gz'
export const MANIFEST_EXT = '.manifest.json'
export const CHECKPOINTS_FILE = 'checkpoints.ndjson'
export const ANCHOR_FILE = 'anchor.json'

/** One segment's files, by base name `<first seq, 16 digits>-<UTC time of creation>`. */
export interface SegmentFiles {
  base: string
  firstSeq: number
  createdMs: number
  active: boolean
  gz: boolean
  manifest: boolean
}

const BASE = /^(\d{16})-(\d{8}T\d{6}\d{3}Z)$/

/** `0000000000000042-20261127T160413123Z`: sorting names sorts by seq; the time is when it was opened. */
export function segmentBase(firstSeq: number, createdMs: number): string {
  const t = new Date(createdMs).toISOString().replace(/[-:.]/g, '')
  return `${String(firstSeq).padStart(16, '0')}-${t}`
}

function parseTime(t: string): number {
  const iso = `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 11)}:${t.slice(11, 13)}:${t.slice(13, 15)}.${t.slice(15, 18)}Z`
  return Date.parse(iso)
}

/** The segments of one stream folder, oldest first. Unknown files are ignored. */
export function listSegments(streamDir: string): SegmentFiles[] {
  const byBase = new Map<string, SegmentFiles>()
  for (const name of readdirSync(streamDir)) {
    let base: string
    let kind: 'active' | 'gz' | 'manifest'
    if (name.endsWith(SEALED_EXT)) [base, kind] = [name.slice(0, -SEALED_EXT.length), 'gz']
    else if (name.endsWith(MANIFEST_EXT)) [base, kind] = [name.slice(0, -MANIFEST_EXT.length), 'manifest']
    else if (name.endsWith(ACTIVE_EXT)) [base, kind] = [name.slice(0, -ACTIVE_EXT.length), 'active']
    else continue
    const m = BASE.exec(base)
    if (!m) continue
    let seg = byBase.get(base)
    if (!seg) {
      seg = { base, firstSeq: Number(m[1]), createdMs: parseTime(m[2]!), active: false, gz: false, manifest: false }
      byBase.set(base, seg)
    }
    seg[kind] = true
  }
  return [...byBase.values()].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0))
}
