import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, unlinkSync } from 'node:fs'
import path from 'node:path'
import { PromptLedgerError } from '../../errors.js'
import type { LedgerRecord } from '../../record/schema.js'
import { type ChainHead, genesis } from '../../seal/chain.js'
import type { Checkpoint } from '../../seal/checkpoint.js'
import { readManifest } from './manifest.js'
import { ACTIVE_EXT, ANCHOR_FILE, archiveFile, CHECKPOINTS_FILE, listSegments, MANIFEST_EXT } from './segment-files.js'

/** Something opening the ledger repaired; reported through the ledger's `warning` event. */
export interface RecoveryNote {
  kind: 'torn-line' | 'unfinished-seal' | 'finished-seal'
  file: string
  bytes?: number
}

export interface RecoveredStream {
  head: ChainHead
  /** The segment to keep appending to, or null to start a new one. */
  active: { base: string; size: number; createdMs: number } | null
  /** Older `.ndjson` segments whose sealing a crash interrupted; the writer seals them first. */
  pendingSeal: string[]
  lastCheckpointSeq: number
  notes: RecoveryNote[]
}

/** Cuts a torn (not newline-terminated) last line; returns the bytes removed. */
function cutTornTail(file: string): number {
  const buf = readFileSync(file)
  if (buf.length === 0 || buf[buf.length - 1] === 0x0a) return 0
  const keep = buf.lastIndexOf(0x0a) + 1
  truncateSync(file, keep)
  return buf.length - keep
}

function lastLine(file: string): string | undefined {
  const text = readFileSync(file, 'utf8')
  const end = text.length - 1
  if (end < 0) return undefined
  return text.slice(text.lastIndexOf('\n', end - 1) + 1, end)
}

function parseLast<T>(file: string): T | undefined {
  const line = lastLine(file)
  if (line === undefined) return undefined
  try {
    return JSON.parse(line) as T
  } catch (cause) {
    throw new PromptLedgerError('LEDGER_CORRUPT', `last line of ${file} is not JSON; run promptledger verify`, {
      cause,
    })
  }
}

/**
 * Opens one stream folder for writing: finishes or undoes an interrupted seal, cuts a torn last line
 * (the chain then continues from the last whole record) and finds the chain head.
 */
export function recoverStream(streamDir: string, stream: string): RecoveredStream {
  mkdirSync(streamDir, { recursive: true, mode: 0o700 })
  const notes: RecoveryNote[] = []
  for (const name of readdirSync(streamDir)) {
    if (name.endsWith('.tmp')) unlinkSync(path.join(streamDir, name))
  }
  const segments = listSegments(streamDir)
  const actives: string[] = []
  let lastSealed: string | undefined
  for (const seg of segments) {
    const p = (ext: string) => path.join(streamDir, seg.base + ext)
    if (seg.active && seg.archive && seg.manifest) {
      unlinkSync(p(ACTIVE_EXT)) // the seal completed; only the removal of the source was missed
      notes.push({ kind: 'finished-seal', file: seg.base + ACTIVE_EXT })
      seg.active = false
    } else if (seg.active && seg.archive) {
      const file = archiveFile(seg)
      unlinkSync(path.join(streamDir, file)) // archive written but no manifest: seal again from the source
      notes.push({ kind: 'unfinished-seal', file })
      seg.archive = undefined
    }
    if (seg.active) actives.push(seg.base)
    else if (seg.archive && seg.manifest) lastSealed = seg.base
  }

  let head: ChainHead = genesis(stream)
  let active: RecoveredStream['active'] = null
  const last = actives.pop()
  const pendingSeal = actives.filter((base) => statSync(path.join(streamDir, base + ACTIVE_EXT)).size > 0)
  if (last) {
    const file = path.join(streamDir, last + ACTIVE_EXT)
    const cut = cutTornTail(file)
    if (cut > 0) notes.push({ kind: 'torn-line', file: last + ACTIVE_EXT, bytes: cut })
    const seg = segments.find((s) => s.base === last)!
    active = { base: last, size: statSync(file).size, createdMs: seg.createdMs }
  }
  const candidates = [...(last ? [last] : []), ...pendingSeal.slice().reverse()]
  let found = false
  for (const base of candidates) {
    const rec = parseLast<LedgerRecord>(path.join(streamDir, base + ACTIVE_EXT))
    if (rec) {
      head = { stream, seq: rec.seq, hash: rec.hash }
      found = true
      break
    }
  }
  if (!found && lastSealed) {
    const m = readManifest(path.join(streamDir, lastSealed + MANIFEST_EXT))
    head = { stream, seq: m.last_seq, hash: m.head_hash }
    found = true
  }
  const anchorFile = path.join(streamDir, ANCHOR_FILE)
  if (!found && existsSync(anchorFile)) {
    const anchor = JSON.parse(readFileSync(anchorFile, 'utf8')) as Checkpoint
    head = { stream, seq: anchor.seq, hash: anchor.hash }
  }

  let lastCheckpointSeq = -1
  const cpFile = path.join(streamDir, CHECKPOINTS_FILE)
  if (existsSync(cpFile)) {
    const cut = cutTornTail(cpFile)
    if (cut > 0) notes.push({ kind: 'torn-line', file: CHECKPOINTS_FILE, bytes: cut })
    lastCheckpointSeq = parseLast<Checkpoint>(cpFile)?.seq ?? -1
  }
  return { head, active, pendingSeal, lastCheckpointSeq, notes }
}
