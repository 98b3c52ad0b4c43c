// The records filter bar. Submitting writes the filter into the URL hash, so filters survive reloads and links.
import { h } from '../dom.js'
import { isoToLocalInput, localInputToIso } from '../format.js'
import type { Filter, FilterKey } from '../query.js'

const TEXT_FIELDS: Array<[FilterKey, string, string]> = [
  ['model', 'Model', 'gpt-4o'],
  ['provider', 'Provider', 'openai'],
  ['user_id', 'User', 'user id'],
  ['session_id', 'Session', 'session id'],
  ['app', 'App', 'app name'],
  ['tag', 'Tag', 'tag'],
]

/** Builds the filter form; `onApply` receives the new filter (empty values removed). */
export function filterForm(filter: Filter, onApply: (filter: Filter) => void): HTMLFormElement {
  const field = (key: FilterKey, label: string, input: HTMLElement) =>
    h('div', { class: 'field' }, h('label', { for: `f-${key}` }, label), input)
  const text = (key: FilterKey, label: string, placeholder: string, type = 'text') =>
    field(key, label, h('input', { id: `f-${key}`, name: key, type, value: filter[key] ?? '', placeholder }))
  const time = (key: 'from' | 'to', label: string) =>
    field(
      key,
      label,
      h('input', {
        id: `f-${key}`,
        name: key,
        type: 'datetime-local',
        step: '0.001',
        value: isoToLocalInput(filter[key]),
      }),
    )
  const status = h(
    'select',
    { id: 'f-status', name: 'status' },
    h('option', { value: '' }, 'any'),
    h('option', { value: 'ok', selected: filter.status === 'ok' }, 'ok'),
    h('option', { value: 'error', selected: filter.status === 'error' }, 'error'),
  )

  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter records' },
    text('q', 'Search', 'words in prompts and responses', 'search'),
    time('from', 'From (UTC)'),
    time('to', 'To (UTC)'),
    TEXT_FIELDS.map(([k, label, ph]) => text(k, label, ph)),
    field('status', 'Status', status),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit' }, 'Apply'),
      h('button', { type: 'reset', class: 'secondary' }, 'Clear'),
    ),
  )
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    const data = new FormData(form)
    const next: Filter = {}
    for (const [key, raw] of data.entries()) {
      const value = String(raw).trim()
      if (!value) continue
      next[key as FilterKey] = key === 'from' || key === 'to' ? localInputToIso(value) : value
    }
    onApply(next)
  })
  form.addEventListener('reset', (e) => {
    e.preventDefault()
    onApply({})
  })
  return form
}
