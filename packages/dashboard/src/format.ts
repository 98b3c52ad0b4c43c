// Pure formatting helpers: no DOM, no clock, so they are unit-tested in Node.

const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

/** `2026-11-27T16:04:19.123Z` → `2026-11-27 16:04:19.123` (UTC, the ledger's clock). Unparseable input is returned as is. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return iso
  return new Date(t).toISOString().replace('T', ' ').replace('Z', '')
}

/** Milliseconds for people: `850 ms`, `1.24 s`, `2 min 5 s`. */
export function formatMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`
  const min = Math.floor(ms / 60_000)
  return `${min} min ${Math.round((ms - min * 60_000) / 1000)} s`
}

/** US dollars with enough digits for per-call costs: `$0.000123`, `$1.23`; null means unknown price. */
export function formatCost(usd: number | null | undefined): string {
  if (usd == null || !Number.isFinite(usd)) return '—'
  if (usd === 0) return '$0'
  // Three significant digits below a dollar ($0.0154, not $0.02: a third off for a model's cost per call), cents and
  // thousands separators above.
  if (Math.abs(usd) < 1) return `$${Number(usd.toPrecision(3))}`
  return `$${DOLLARS.format(usd)}`
}
const DOLLARS = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })

/** A group's cost: `—` when none of its records has a price, `≥$…` when only some have (a lower bound). */
export function formatGroupCost(usd: number | null, priced: number, count: number): string {
  if (usd === null) return '—'
  return priced < count ? `≥${formatCost(usd)}` : formatCost(usd)
}

/** Integer with thousands separators; `—` when unknown. */
export function formatInt(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return '—'
  return intFormat.format(n)
}

/** Input → output tokens: `1,200 → 85`; a single side when only one is known. */
export function formatTokens(input: number | null | undefined, output: number | null | undefined): string {
  if (input == null && output == null) return '—'
  return `${formatInt(input)} → ${formatInt(output)}`
}

/** A ratio in [0, 1] as a percentage: `0.0123` → `1.23 %`. */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio == null || !Number.isFinite(ratio)) return '—'
  const pct = ratio * 100
  return `${pct < 10 && pct !== 0 ? pct.toFixed(2) : pct.toFixed(1)} %`
}

/** Shortens long identifiers and hashes for tables: `abcdef…7890`. */
export function shorten(text: string | null | undefined, keep = 8): string {
  if (!text) return '—'
  return text.length <= keep * 2 + 1 ? text : `${text.slice(0, keep)}…${text.slice(-keep)}`
}

/**
 * Message content as plain text. Strings are returned unchanged; provider content parts (`{ type: 'text', text }`)
 * are joined; anything else is pretty JSON. The result is always shown with `textContent`, never parsed as HTML.
 */
export function contentToText(content: unknown): string {
  if (content == null) return ''
  if (typeof content === 'string') return content
  if (Array.isArray(content) && content.every(isTextPart)) return content.map((p) => p.text).join('\n')
  // A response's output as chat messages (`[{ role: 'assistant', content: '…' }]`, what the proxy stores): their text,
  // each message's own parts read as above; tool calls and other shapes stay JSON.
  if (Array.isArray(content) && content.length > 0 && content.every(isPlainMessage)) {
    return content.map((m) => contentToText(m.content)).join('\n\n')
  }
  return JSON.stringify(content, null, 2) ?? String(content)
}

/** A chat message holding text only (no tool calls): its text is what a reader wants to see. */
function isPlainMessage(m: unknown): m is { content: unknown } {
  if (typeof m !== 'object' || m === null) return false
  const o = m as Record<string, unknown>
  const keys = Object.keys(o).filter((k) => o[k] !== null && o[k] !== undefined)
  const content = o['content']
  const textual = typeof content === 'string' || (Array.isArray(content) && content.every(isTextPart))
  return textual && keys.every((k) => k === 'role' || k === 'content')
}

function isTextPart(part: unknown): part is { text: string } {
  return typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string'
}

/** Converts a `datetime-local` value read as UTC (`2026-11-27T10:00`) to ISO-8601; empty stays empty. */
export function localInputToIso(value: string): string {
  if (!value) return ''
  const withSeconds = /T\d{2}:\d{2}$/.test(value) ? `${value}:00` : value
  const t = Date.parse(`${withSeconds}Z`)
  return Number.isNaN(t) ? '' : new Date(t).toISOString()
}

/** The reverse of `localInputToIso`, for filling a `datetime-local` input from an ISO filter value. */
export function isoToLocalInput(iso: string | undefined): string {
  if (!iso) return ''
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return ''
  // Minutes when the bound has no seconds; seconds and milliseconds are kept when it has (Apply must not widen it).
  const full = new Date(t).toISOString().slice(0, 23)
  return full.endsWith(':00.000') ? full.slice(0, 16) : full.endsWith('.000') ? full.slice(0, 19) : full
}
