import { readdirSync } from 'node:fs'
import { ARCHIVE_CODECS, ARCHIVE_EXT, type ArchiveCodec } from './archive-codec.js'

/**
 * Active segments end in `.ndjson`; sealed ones are an archive (`.ndjson.gz` or `.ndjson.br`, see
 * archive-codec.ts) beside a `.manifest.json`.
 */
export const ACTIVE_EXT = '.ndjson'
export const MANIFEST_EXT = '.manifest.json'
export const CHECKPOINTS_FILE = 'checkpoints.ndjson'
export const ANCHOR_FILE = 'anchor.json'

/** One segment's files, by base name `<first seq, 16 digits>-<UTC time of creation>`. */
export interface SegmentFiles {
  base: string
  firstSeq: number
  createdMs: number
  active: boolean
  /** The codec of the sealed archive beside it, if there is one. */
  archive?: ArchiveCodec
  manifest: boolean
}

/** The file name of a segment's sealed archive (gzip when none is there yet). */
export function archiveFile(seg: Pick<SegmentFiles, 'base' | 'archive'>): string {
  return seg.base + ARCHIVE_EXT[seg.archive ?? 'gzip']
}

/** The archive's codec and base name, when `name` is a sealed archive. */
function parseArchive(name: string): [string, ArchiveCodec] | undefined {
  for (const codec of ARCHIVE_CODECS) {
    const ext = ARCHIVE_EXT[codec]
    if (name.endsWith(ext)) return [name.slice(0, -ext.length), codec]
  }
  return undefined
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
    let kind: 'active' | 'manifest' | undefined
    const archive = parseArchive(name)
    if (archive) base = archive[0]
    else if (name.endsWith(MANIFEST_EXT)) [base, kind] = [name.slice(0, -MANIFEST_EXT.length), 'manifest']
    else if (name.endsWith(ACTIVE_EXT)) [base, kind] = [name.slice(0, -ACTIVE_EXT.length), 'active']
    else continue
    const m = BASE.exec(base)
    if (!m) continue
    let seg = byBase.get(base)
    if (!seg) {
      seg = { base, firstSeq: Number(m[1]), createdMs: parseTime(m[2]!), active: false, manifest: false }
      byBase.set(base, seg)
    }
    // Two archives of one segment are never written; should there be, the first listed is used and
    // verify checks it against the manifest, which names the one it signs.
    if (archive) seg.archive ??= archive[1]
    else if (kind) seg[kind] = true
  }
  return [...byBase.values()].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0))
}

/**
 * Whether a segment's `.ndjson` is only the leftover of a finished seal (a crash after the manifest was written): its
 * archive and manifest are whole, and the writer removes the `.ndjson` when it next opens the stream. Readers read
 * the archive, and `verify` checks it, instead of calling the segment altered.
 */
export function sealedWithLeftover(seg: SegmentFiles): boolean {
  return seg.active && seg.archive !== undefined && seg.manifest
}
