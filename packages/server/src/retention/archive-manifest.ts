import { createHash } from 'node:crypto'
import { createReadStream, readFileSync } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { createGunzip } from 'node:zlib'
import { canonicalize, type LedgerRecord, recordHash, writeFileAtomic } from '@promptledger/sdk'

/** Each stream's slice of the chain held by an archive. */
export interface StreamRange {
  count: number
  first_seq: number
  /** Links the archive to the records before it (or to genesis). */
  first_prev_hash: string
  last_seq: number
  head_hash: string
}

export interface ArchiveManifest {
  v: 1
  created: string
  cutoff: string
  file: string
  sha256: string
  count: number
  streams: Record<string, StreamRange>
  /** SHA-256 over the canonical JSON of the fields above: the manifest seals itself. */
  manifest_hash?: string
}

export interface ArchiveVerifyResult {
  ok: boolean
  count: number
  problems: string[]
}

const manifestHash = (m: ArchiveManifest): string => {
  const { manifest_hash: _ignored, ...body } = m
  return createHash('sha256').update(canonicalize(body)).digest('hex')
}

export function writeManifest(dataFile: string, manifest: ArchiveManifest): ArchiveManifest {
  const sealed = { ...manifest, manifest_hash: manifestHash(manifest) }
  writeFileAtomic(`${dataFile}.manifest.json`, `${JSON.stringify(sealed, null, 2)}\n`)
  return sealed
}

/**
 * Verifies an archive from its manifest: the manifest's own hash, the data file's SHA-256, every
 * record's hash, and each stream's links from `first_prev_hash` to `head_hash` with no gap.
 *
 * @example
 * const r = await verifyArchive('archive/records-….ndjson.gz.manifest.json') // { ok: true, … }
 */
export async function verifyArchive(manifestFile: string): Promise<ArchiveVerifyResult> {
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as ArchiveManifest
  const problems: string[] = []
  if (manifest.manifest_hash !== manifestHash(manifest)) problems.push('manifest hash does not match its contents')
  const dataFile = path.join(path.dirname(manifestFile), manifest.file)
  const fileHash = createHash('sha256')
  const raw = createReadStream(dataFile)
  raw.on('data', (chunk) => fileHash.update(chunk))
  const links = new Map<string, Array<{ seq: number; prev: string; hash: string }>>()
  let count = 0
  for await (const line of createInterface({ input: raw.pipe(createGunzip()), crlfDelay: Infinity })) {
    if (line === '') continue
    const record = JSON.parse(line) as LedgerRecord
    count++
    if (recordHash(record) !== record.hash) problems.push(`record ${record.id}: hash does not match its contents`)
    const list = links.get(record.stream) ?? []
    list.push({ seq: record.seq, prev: record.prev_hash, hash: record.hash })
    links.set(record.stream, list)
  }
  if (fileHash.digest('hex') !== manifest.sha256) problems.push(`${manifest.file}: SHA-256 differs from the manifest`)
  if (count !== manifest.count) problems.push(`expected ${manifest.count} records, found ${count}`)
  for (const [stream, range] of Object.entries(manifest.streams)) {
    const list = (links.get(stream) ?? []).sort((a, b) => a.seq - b.seq)
    let prev = range.first_prev_hash
    let seq = range.first_seq
    for (const link of list) {
      if (link.seq !== seq || link.prev !== prev) {
        problems.push(`stream ${stream}: chain breaks at seq ${link.seq}`)
        break
      }
      prev = link.hash
      seq++
    }
    if (prev !== range.head_hash) problems.push(`stream ${stream}: head hash differs from the manifest`)
  }
  return { ok: problems.length === 0, count, problems }
}
