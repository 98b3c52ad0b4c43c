// Records list: newest first, filter bar, cursor "load more", and a live mode that polls for new records.
import { api } from '../api/client.js'
import type { RecordView } from '../api/types.js'
import { h, replaceChildren } from '../dom.js'
import { formatCost, formatMs, formatTime, formatTokens } from '../format.js'
import { type Filter, routeToHash } from '../query.js'
import { filterForm } from './filter-form.js'
import { showError, type ViewContext, viewHeading } from './view.js'

const PAGE_SIZE = 50
/** Live mode polls this often; one small indexed query per tick, skipped while the tab is hidden. */
const LIVE_INTERVAL_MS = 3000

function row(r: RecordView): HTMLTableRowElement {
  const model = r.request?.model ?? r.response?.model ?? '—'
  const status = r.status === 'error' ? 'error' : 'ok'
  return h(
    'tr',
    { 'data-id': r.id },
    h('td', {}, h('a', { href: `#/records/${encodeURIComponent(r.id)}`, class: 'mono' }, formatTime(r.ts))),
    h('td', {}, model),
    h('td', {}, r.provider ?? '—'),
    h('td', {}, r.user_id ?? '—'),
    h('td', {}, r.app ?? '—'),
    h('td', {}, h('span', { class: `badge badge-${status}` }, status)),
    h('td', { class: 'num' }, formatMs(r.latency_ms)),
    h('td', { class: 'num' }, formatTokens(r.usage?.input_tokens, r.usage?.output_tokens)),
    h('td', { class: 'num' }, formatCost(r.cost_usd)),
  )
}

/** Renders the records list for `filter` into `root`. */
export async function recordsView(root: HTMLElement, filter: Filter, ctx: ViewContext): Promise<void> {
  const seen = new Set<string>()
  let cursor: string | null = null
  let newestTs = ''

  const tbody = h('tbody')
  const summary = h('p', { class: 'summary', role: 'status', 'aria-live': 'polite' }, 'Loading…')
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more')
  const live = h('input', { type: 'checkbox', id: 'live-toggle' })
  const table = h(
    'table',
    { class: 'records' },
    h('caption', { class: 'visually-hidden' }, 'Records, newest first'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Time (UTC)', 'Model', 'Provider', 'User', 'App', 'Status', 'Latency', 'Tokens in → out', 'Cost'].map((t) =>
          h('th', { scope: 'col' }, t),
        ),
      ),
    ),
    tbody,
  )
  replaceChildren(
    root,
    viewHeading('Records'),
    filterForm(filter, (next) => {
      location.hash = routeToHash({ view: 'records', filter: next })
    }),
    h(
      'div',
      { class: 'toolbar' },
      h('label', { for: 'live-toggle', class: 'check' }, live, 'Live (new records every 3 s)'),
      summary,
    ),
    h('div', { class: 'table-wrap' }, table),
    more,
  )

  const add = (records: RecordView[], where: 'top' | 'bottom') => {
    const fresh = records.filter((r) => !seen.has(r.id))
    for (const r of fresh) {
      seen.add(r.id)
      if (r.ts > newestTs) newestTs = r.ts
    }
    const rows = fresh.map(row)
    if (where === 'top') tbody.prepend(...rows)
    else tbody.append(...rows)
    return fresh.length
  }
  const updateSummary = () => {
    summary.textContent =
      seen.size === 0 ? 'No records match these filters.' : `${seen.size} record${seen.size === 1 ? '' : 's'} shown`
  }

  const loadPage = async () => {
    more.disabled = true
    try {
      const page = await api.records(filter, cursor, PAGE_SIZE, ctx.signal)
      add(page.records, 'bottom')
      cursor = page.nextCursor
      more.hidden = cursor === null
      updateSummary()
    } catch (err) {
      showError(root, err, ctx)
    } finally {
      more.disabled = false
    }
  }
  more.addEventListener('click', () => void loadPage())

  let timer: ReturnType<typeof setTimeout> | undefined
  const poll = async () => {
    if (ctx.signal.aborted || !live.checked) return
    if (!document.hidden) {
      try {
        // The first page of the same filter holds every record newer than the ones shown (newest first).
        const page = await api.records(filter, null, PAGE_SIZE, ctx.signal)
        const added = add(
          page.records.filter((r) => r.ts >= newestTs),
          'top',
        )
        if (added) updateSummary()
      } catch (err) {
        live.checked = false
        showError(root, err, ctx)
        return
      }
    }
    timer = setTimeout(() => void poll(), LIVE_INTERVAL_MS)
  }
  live.addEventListener('change', () => {
    clearTimeout(timer)
    if (live.checked) void poll()
  })
  ctx.signal.addEventListener('abort', () => clearTimeout(timer))

  await loadPage()
}
