// The parts of a record's detail page. All content goes through textBlock/text nodes: it is untrusted.
import type { RecordView } from '../api/types.js'
import { type Child, defList, h, textBlock } from '../dom.js'
import { contentToText, formatInt } from '../format.js'

export function section(title: string, ...children: Child[]): HTMLElement {
  const id = `sec-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), children)
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? ''
}

export function messages(r: RecordView): Child {
  const list = r.request?.messages
  if (!list?.length)
    return r.request?.input !== undefined ? textBlock(contentToText(r.request.input), 'Request input') : null
  return h(
    'ol',
    { class: 'messages' },
    list.map((m, i) =>
      h(
        'li',
        { class: 'message' },
        h('div', { class: 'role' }, String(m.role ?? 'message')),
        textBlock(contentToText(m.content), `Message ${i + 1} (${String(m.role ?? '')})`),
      ),
    ),
  )
}

export function toolCalls(r: RecordView): Child {
  const calls = r.response?.tool_calls
  if (!calls?.length) return null
  return h(
    'div',
    {},
    h('h3', {}, 'Tool calls'),
    calls.map((c) =>
      h(
        'div',
        { class: 'tool-call' },
        defList([
          ['Name', c.name ?? '—'],
          ['Call id', c.id ?? null],
        ]),
        textBlock(c.arguments ?? '', `Arguments of ${c.name ?? 'tool call'}`),
      ),
    ),
  )
}

export function counts(title: string, record: Record<string, number> | undefined | null, empty: string): Child {
  const entries = Object.entries(record ?? {})
  if (!entries.length) return h('p', { class: 'muted' }, empty)
  return h(
    'table',
    { class: 'compact' },
    h('caption', {}, title),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Count'))),
    h(
      'tbody',
      {},
      entries.map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', { class: 'num' }, formatInt(v)))),
    ),
  )
}

export function signals(r: RecordView): Child {
  const s = r.signals
  if (!s || !Object.keys(s).length) return h('p', { class: 'muted' }, 'No signals recorded.')
  const { injection_score, injection_rules, uncertainty, uncertainty_phrases, pii_in_response, ...rest } = s
  return [
    defList([
      ['Injection score', typeof injection_score === 'number' ? injection_score.toFixed(2) : null],
      ['Injection rules', Array.isArray(injection_rules) ? injection_rules.join(', ') : null],
      ['Uncertain answer', typeof uncertainty === 'boolean' ? (uncertainty ? 'yes' : 'no') : null],
      ['Uncertainty phrases', Array.isArray(uncertainty_phrases) ? uncertainty_phrases.join(', ') : null],
    ]),
    pii_in_response && typeof pii_in_response === 'object'
      ? counts('Personal data found in the response (before redaction)', pii_in_response as Record<string, number>, '')
      : null,
    Object.keys(rest).length ? textBlock(json(rest), 'Other signals') : null,
  ]
}
