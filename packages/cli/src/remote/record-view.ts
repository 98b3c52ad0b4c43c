import type { LedgerRecord } from '@promptledger/sdk'
import { type Column, fmt } from './table.js'

function textOf(value: unknown): string {
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return value.map(textOf).join(' ')
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>
    return textOf(o['content'] ?? o['text'] ?? '')
  }
  return ''
}

/** The last user message (or input), for a one-line preview. */
export function promptPreview(r: LedgerRecord): string {
  const messages = r.request.messages ?? []
  const last = [...messages].reverse().find((m) => m.role === 'user') ?? messages[messages.length - 1]
  return last ? textOf(last.content) : textOf(r.request.input)
}

/** Columns of a record table (query, tail). */
export const recordColumns: Column<LedgerRecord>[] = [
  { header: 'time', cell: (r) => r.ts.replace('T', ' ').replace(/\.\d+Z$/, 'Z') },
  { header: 'model', cell: (r) => r.request.model ?? r.response?.model ?? '-', max: 24 },
  { header: 'status', cell: (r) => r.status },
  { header: 'latency', cell: (r) => fmt.ms(r.latency_ms), right: true },
  {
    header: 'tokens',
    cell: (r) => `${fmt.num(r.usage?.input_tokens)}/${fmt.num(r.usage?.output_tokens)}`,
    right: true,
  },
  { header: 'cost', cell: (r) => fmt.usd(r.cost_usd), right: true },
  { header: 'user', cell: (r) => r.user_id ?? '-', max: 16 },
  { header: 'prompt', cell: promptPreview, max: 48 },
  { header: 'id', cell: (r) => r.id },
]
