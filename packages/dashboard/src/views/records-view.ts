// Records list: newest first, filter bar, cursor "load more", and a live mode that polls for new records.
import { ApiError, api } from '../api/client.js'
import type { RecordView } from '../api/types.js'
import { h, replaceChildren } from '../dom.js'
import { formatCost, formatMs, formatTime, formatTokens } from '../format.js'
import { type Filter, routeToHash } from '../query.js'
import { filterForm } from './filter-form.js'
import { showError, type ViewContext, viewHeading } from './view.js'

const PAGE_SIZE = 50
/** Pages a live tick reads at most (a burst beyond them is there on the next tick, or with Load more). */
const LIVE_MAX_PAGES = 5
/** A record stamped this long before the newest shown still finds its place when it arrives (batched exports). */
const LATE_MS = 120_000
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

/**
 * The list as it was when the view was left (opening a record, most often): Back to the same filter shows the same
 * rows, pages loaded and scroll position, and then asks only for what is newer.
 */
let kept: { filter: string; records: RecordView[]; cursor: string | null; scrollY: number } | null = null

/** Renders the records list for `filter` into `root`. */
export async function recordsView(root: HTMLElement, filter: Filter, ctx: ViewContext): Promise<void> {
  const seen = new Set<string>()
  const shown = new Map<string, RecordView>()
  let cursor: string | null = null
  let newestTs = ''
  const filterKey = JSON.stringify(filter)

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

  // The shown rows' (ts, id) keys, newest first, as the API orders them: a record that arrives late (stamped before
  // rows already shown, as a batched SDK export is) goes to its place, not to the top.
  const keys: Array<[string, string]> = []
  const before = (a: [string, string], b: [string, string]) => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1])
  const add = (records: RecordView[], where: 'sorted' | 'bottom') => {
    const fresh = records.filter((r) => !seen.has(r.id))
    for (const r of fresh) {
      seen.add(r.id)
      shown.set(r.id, r)
      if (r.ts > newestTs) newestTs = r.ts
      const key: [string, string] = [r.ts, r.id]
      const tr = row(r)
      if (where === 'bottom') {
        keys.push(key)
        tbody.append(tr)
        continue
      }
      let at = 0
      while (at < keys.length && before(keys[at]!, key)) at++
      keys.splice(at, 0, key)
      const next = tbody.children[at]
      if (next) tbody.insertBefore(tr, next)
      else tbody.append(tr)
    }
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
      summary.textContent = ''
      showError(root, err, ctx)
    } finally {
      more.disabled = false
    }
  }
  more.addEventListener('click', () => void loadPage())

  /**
   * Adds what is newer than the rows shown: pages from the newest until one reaches past the horizon (the oldest row
   * shown, but no more than LATE_MS before the newest), so a burst larger than a page and records stamped before the
   * newest shown all find their place. Returns how many rows it added.
   */
  const addNewer = async (): Promise<number> => {
    const oldest = keys.at(-1)
    const lateFloor = newestTs ? new Date(Date.parse(newestTs) - LATE_MS).toISOString() : ''
    const horizon = oldest && oldest[0] > lateFloor ? oldest[0] : lateFloor
    let added = 0
    let next: string | null = null
    for (let pages = 0; pages < LIVE_MAX_PAGES; pages++) {
      const page = await api.records(filter, next, PAGE_SIZE, ctx.signal)
      const within = page.records.filter((r) => r.ts >= horizon && (!oldest || !before(oldest, [r.ts, r.id])))
      added += add(within, 'sorted')
      next = page.nextCursor
      if (next === null || within.length < page.records.length) break
    }
    return added
  }

  let timer: ReturnType<typeof setTimeout> | undefined
  const poll = async () => {
    if (ctx.signal.aborted || !live.checked) return
    if (!document.hidden) {
      try {
        const added = await addNewer()
        if (added) updateSummary()
        else if (summary.dataset['offline']) updateSummary()
        delete summary.dataset['offline']
      } catch (err) {
        // A key problem ends live mode; a collector that does not answer is tried again at the next tick.
        if (!(err instanceof ApiError) || err.status === 401 || err.status === 403) {
          live.checked = false
          showError(root, err, ctx)
          return
        }
        summary.textContent = `Live: ${err.message} Retrying every ${LIVE_INTERVAL_MS / 1000} s.`
        summary.dataset['offline'] = '1'
      }
    }
    timer = setTimeout(() => void poll(), LIVE_INTERVAL_MS)
  }
  live.addEventListener('change', () => {
    clearTimeout(timer)
    if (live.checked) void poll()
  })
  ctx.signal.addEventListener('abort', () => {
    clearTimeout(timer)
    const records = keys.map(([, id]) => shown.get(id)).filter((r): r is RecordView => r !== undefined)
    kept = records.length > 0 ? { filter: filterKey, records, cursor, scrollY: window.scrollY } : null
  })

  const back = kept !== null && kept.filter === filterKey ? kept : null
  kept = null
  if (back === null) {
    await loadPage()
    return
  }
  add(back.records, 'bottom')
  cursor = back.cursor
  more.hidden = cursor === null
  updateSummary()
  window.scrollTo(0, back.scrollY)
  try {
    if (await addNewer()) updateSummary()
  } catch (err) {
    showError(root, err, ctx)
  }
}
