import type { LedgerRecord, UnsealedRecord } from '../record/schema.js'

/** Roles whose text the application itself wrote; they are not scanned for injection. */
const OPERATOR_ROLES = new Set(['system', 'developer'])
/** Structural keys of provider message shapes: labels, not text the model read or wrote. */
const SKIP_KEYS = new Set(['role', 'type', 'id', 'index', 'finish_reason', 'logprobs', 'annotations'])

/**
 * Appends every string found in a JSON value, up to `budget` characters in total. Data URIs (inline
 * images, audio) are skipped: they are long base64 by design and carry no instructions.
 */
function collect(value: unknown, out: string[], budget: { left: number }, depth: number): void {
  if (budget.left <= 0 || depth > 16) return
  if (typeof value === 'string') {
    if (value.startsWith('data:')) return
    const piece = value.length > budget.left ? value.slice(0, budget.left) : value
    budget.left -= piece.length
    out.push(piece)
    return
  }
  if (Array.isArray(value)) {
    for (const item of value) collect(item, out, budget, depth + 1)
    return
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) if (!SKIP_KEYS.has(key)) collect(item, out, budget, depth + 1)
  }
}

/**
 * Text that reached the model from outside the application: user and tool messages and raw `input`.
 * Capped at `maxChars` so one huge prompt costs a bounded scan.
 */
export function promptText(record: UnsealedRecord | LedgerRecord, maxChars: number): string {
  const out: string[] = []
  const budget = { left: maxChars }
  for (const message of record.request.messages ?? []) {
    if (OPERATOR_ROLES.has(message.role)) continue
    // Only content: tool results carry ids and names beside it that are not text the model reads as prose.
    collect(message.content, out, budget, 0)
  }
  if (record.request.input !== undefined) collect(record.request.input, out, budget, 0)
  return out.join('\n')
}

/** The model's output text (messages, text parts, tool call arguments), capped at `maxChars`. */
export function responseText(record: UnsealedRecord | LedgerRecord, maxChars: number): string {
  const response = record.response
  if (!response) return ''
  const out: string[] = []
  const budget = { left: maxChars }
  collect(response.output, out, budget, 0)
  for (const call of response.tool_calls ?? []) collect(call.arguments, out, budget, 0)
  return out.join('\n')
}

/** Characters of response output, counted without the cap (a cheap walk, no copies). */
export function responseChars(record: UnsealedRecord | LedgerRecord): number {
  const response = record.response
  if (!response) return 0
  return countChars(response.output, 0)
}

function countChars(value: unknown, depth: number): number {
  if (typeof value === 'string') return value.length
  if (depth > 16) return 0
  let total = 0
  if (Array.isArray(value)) for (const item of value) total += countChars(item, depth + 1)
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) if (!SKIP_KEYS.has(key)) total += countChars(item, depth + 1)
  return total
}
