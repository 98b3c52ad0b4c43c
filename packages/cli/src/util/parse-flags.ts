import { existsSync } from 'node:fs'
import path from 'node:path'
import { isoTimeMs } from '@promptledger/server'
import { CliError } from './exit-codes.js'

/** Parses an ISO-8601 date or a relative age (`15m`, `24h`, `7d`) given to `flag`. */
export function parseTimeFlag(flag: string, value: string | undefined, now = Date.now()): Date | undefined {
  if (value === undefined) return undefined
  const rel = /^(\d+)([smhd])$/.exec(value)
  if (rel) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 's' | 'm' | 'h' | 'd']
    return new Date(now - Number(rel[1]) * unit)
  }
  // The collector's own rule: `Date.parse` would take `1` (the year 2001) and roll `2026-02-30` into March.
  const t = isoTimeMs(value)
  if (t === null) throw new CliError(`${flag} must be an ISO-8601 date or an age like 24h or 7d, got "${value}"`)
  return new Date(t)
}

/** Parses a positive integer flag. */
export function parseCountFlag(flag: string, value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new CliError(`${flag} must be a non-negative integer, got "${value}"`)
  return n
}

/**
 * `--since` and `--until`, parsed; a window that ends before it starts is refused (it would select nothing,
 * silently).
 */
export function parseWindow(flags: { since?: string; until?: string }): { since?: Date; until?: Date } {
  const since = parseTimeFlag('--since', flags.since)
  const until = parseTimeFlag('--until', flags.until)
  if (since && until && since.getTime() > until.getTime()) {
    throw new CliError(`--since (${since.toISOString()}) is after --until (${until.toISOString()})`)
  }
  return { ...(since ? { since } : {}), ...(until ? { until } : {}) }
}

/** Refuses a `--stream` the ledger at `dir` does not hold, naming it. */
export function checkStream(dir: string, stream: string | undefined): void {
  if (stream !== undefined && !existsSync(path.join(dir, stream))) {
    throw new CliError(`--stream ${stream}: no such stream in ${dir}`)
  }
}
