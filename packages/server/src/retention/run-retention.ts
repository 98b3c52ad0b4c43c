import type { Actor, AuditTrail } from '../auth/audit-trail.js'
import type { Storage } from '../storage/storage.js'
import type { ArchiveManifest } from './archive-manifest.js'
import { ArchiveWriter } from './archive-writer.js'
import { type RetentionAnchors, writeAnchors } from './retention-anchors.js'
import { type RetentionPolicy, retentionCutoff } from './retention-policy.js'

export interface RunRetentionOptions {
  storage: Storage
  policy: Pick<RetentionPolicy, 'maxAgeDays' | 'archive'>
  /** Required when `policy.archive` is on. */
  archiveDir?: string
  /**
   * Where to record each stream's last removed record (`retention-anchors.json`), so `verify` can
   * start the remaining chain there instead of at genesis.
   */
  anchorsFile?: string
  audit: AuditTrail
  actor: Actor
  route: string
  dryRun?: boolean
  now?: Date
  /** Called per record past the cutoff as it is archived or noted, for a progress bar. */
  onProgress?: (archived: number) => void
}

export interface RetentionResult {
  cutoff: string
  dryRun: boolean
  /** Records past retention (what a dry run would delete). */
  due: number
  deleted: number
  archive: { file: string; manifest: ArchiveManifest } | null
}

const PAGE = 1000

/**
 * Applies the retention policy once: counts the records past the cutoff, archives them if asked,
 * deletes them, and records the run in the audit trail (dry runs too).
 *
 * @example
 * await runRetention({ storage, policy: { maxAgeDays: 30, archive: true }, archiveDir, audit, actor, route: 'cli: retention' })
 */
export async function runRetention(options: RunRetentionOptions): Promise<RetentionResult> {
  const { storage, policy, audit, actor, route } = options
  const dryRun = options.dryRun ?? false
  const cutoff = retentionCutoff(policy, options.now ?? new Date())
  const due = (await storage.stats({ to: cutoff }, null)).reduce((n, row) => n + row.count, 0)
  let archive: RetentionResult['archive'] = null
  let deleted = 0
  if (!dryRun && due > 0) {
    if (policy.archive && !options.archiveDir) throw new Error('retention.archiveDir is required when archive is on')
    const writer = policy.archive ? new ArchiveWriter(options.archiveDir!, cutoff) : null
    const anchors: RetentionAnchors = {}
    let cursor: string | undefined
    let seen = 0
    do {
      const page = await storage.query({ to: cutoff }, cursor === undefined ? { limit: PAGE } : { limit: PAGE, cursor })
      for (const record of page.records) {
        const anchor = anchors[record.stream]
        if (!anchor || record.seq > anchor.seq) anchors[record.stream] = { seq: record.seq, hash: record.hash }
        if (writer) await writer.write(record)
        options.onProgress?.(++seen)
      }
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined)
    if (writer) archive = { file: writer.file, manifest: await writer.finish() }
    // Anchors first: if the delete then fails, verify still starts at a record that exists.
    if (options.anchorsFile) writeAnchors(options.anchorsFile, anchors)
    deleted = await storage.deleteBefore(cutoff)
  }
  audit.append({
    actor,
    action: dryRun ? 'retention.dry-run' : 'retention.run',
    route,
    filter: { to: cutoff, max_age_days: policy.maxAgeDays, archive: archive?.manifest.file ?? null, due },
    count: deleted,
  })
  return { cutoff, dryRun, due, deleted, archive }
}
