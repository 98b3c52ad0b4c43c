// Stats: counts over time as a bar chart, and a table grouped by model, provider, user, app, status, hour or day.
import { api } from '../api/client.js'
import type { StatsRowView } from '../api/types.js'
import { barChart } from '../chart.js'
import { h, replaceChildren } from '../dom.js'
import { formatGroupCost, formatInt, formatMs, formatPercent } from '../format.js'
import { FILTER_KEYS, type Filter, GROUP_BYS, type GroupBy, RANGES, routeToHash } from '../query.js'
import { timeSeries } from '../series.js'
import { showError, type ViewContext, viewHeading } from './view.js'

const GROUP_LABELS: Record<GroupBy, string> = {
  model: 'Model',
  provider: 'Provider',
  user_id: 'User',
  app: 'App',
  status: 'Status',
  hour: 'Hour (UTC)',
  day: 'Day (UTC)',
}

function controls(filter: Filter, groupBy: GroupBy, range: string): HTMLFormElement {
  const groupSel = h(
    'select',
    { id: 's-group', name: 'group_by' },
    GROUP_BYS.map((g) => h('option', { value: g, selected: g === groupBy }, GROUP_LABELS[g])),
  )
  const rangeSel = h(
    'select',
    { id: 's-range', name: 'range' },
    [...Object.keys(RANGES), 'all'].map((r) =>
      h('option', { value: r, selected: r === range }, r === 'all' ? 'all time' : `last ${r}`),
    ),
  )
  // Filters a link carried (`#/stats?model=gpt-4o`) apply to every figure: they are shown, and can be cleared.
  const carried = FILTER_KEYS.filter((k) => filter[k] !== undefined && k !== 'from')
  const clear = h('button', { type: 'button', class: 'secondary' }, 'Clear filters')
  clear.addEventListener('click', () => {
    location.hash = routeToHash({
      view: 'stats',
      filter: {},
      groupBy: groupSel.value as GroupBy,
      range: rangeSel.value,
    })
  })
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Stats options' },
    h('div', { class: 'field' }, h('label', { for: 's-group' }, 'Group by'), groupSel),
    h('div', { class: 'field' }, h('label', { for: 's-range' }, 'Range'), rangeSel),
    carried.length > 0
      ? h(
          'div',
          { class: 'field' },
          h('p', { class: 'summary' }, `Filtered: ${carried.map((k) => `${k} = ${filter[k]}`).join(', ')}`),
          clear,
        )
      : null,
  )
  const apply = () => {
    location.hash = routeToHash({ view: 'stats', filter, groupBy: groupSel.value as GroupBy, range: rangeSel.value })
  }
  groupSel.addEventListener('change', apply)
  rangeSel.addEventListener('change', apply)
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    apply()
  })
  return form
}

/** The cost cell's tooltip when the cost is unknown or a lower bound. */
function costTitle(priced: number, count: number): string | undefined {
  if (priced === count) return undefined
  return priced === 0
    ? 'No record of this group has a known price (a model missing from the price table)'
    : `${priced} of ${count} records have a known price: the cost of the others is not included`
}

function table(rows: StatsRowView[], groupBy: GroupBy): HTMLElement {
  const heads = [
    GROUP_LABELS[groupBy],
    'Calls',
    'Error rate',
    'p50',
    'p95',
    'p99',
    'TTFT p50',
    'TTFT p95',
    'Tokens in',
    'Tokens out',
    'Cost',
  ]
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'stats' },
      h('caption', { class: 'visually-hidden' }, `Stats by ${GROUP_LABELS[groupBy]}`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          heads.map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, r.key ?? '(none)'),
            h('td', { class: 'num' }, formatInt(r.count)),
            h('td', { class: r.errorRate > 0.01 ? 'num bad' : 'num' }, formatPercent(r.errorRate)),
            [r.latencyP50, r.latencyP95, r.latencyP99, r.ttftP50, r.ttftP95].map((v) =>
              h('td', { class: 'num' }, formatMs(v)),
            ),
            h('td', { class: 'num' }, formatInt(r.inputTokens)),
            h('td', { class: 'num' }, formatInt(r.outputTokens)),
            h(
              'td',
              { class: 'num', title: costTitle(r.pricedCount, r.count) },
              formatGroupCost(r.costUsd, r.pricedCount, r.count),
            ),
          ),
        ),
      ),
    ),
  )
}

/** Renders stats for `filter` over `range` (relative to now), grouped by `groupBy`. */
export async function statsView(
  root: HTMLElement,
  filter: Filter,
  groupBy: GroupBy,
  range: string,
  ctx: ViewContext,
): Promise<void> {
  const span = RANGES[range]
  const now = Date.now()
  const windowed: Filter = span ? { ...filter, from: new Date(now - span).toISOString() } : filter
  // Hourly buckets up to a week; daily beyond, so the chart stays readable.
  const bucket: 'hour' | 'day' = span && span <= RANGES['7d']! ? 'hour' : 'day'
  replaceChildren(root, viewHeading('Stats'), controls(filter, groupBy, range), h('p', { role: 'status' }, 'Loading…'))
  try {
    const [series, rows] = await Promise.all([
      api.stats(windowed, bucket, ctx.signal),
      groupBy === bucket ? null : api.stats(windowed, groupBy, ctx.signal),
    ])
    if (ctx.signal.aborted) return
    const byTime = [...series].sort((a, b) => String(a.key).localeCompare(String(b.key)))
    const grouped = rows ?? byTime
    const sorted = groupBy === 'hour' || groupBy === 'day' ? grouped : [...grouped].sort((a, b) => b.count - a.count)
    const bars = timeSeries(byTime, bucket, span ? now - span : undefined, span ? now : undefined)
    const total = byTime.reduce((s, r) => s + r.count, 0)
    replaceChildren(
      root,
      viewHeading('Stats'),
      controls(filter, groupBy, range),
      h(
        'figure',
        { class: 'chart-box' },
        total > 0 ? barChart(bars, `Calls per ${bucket}`) : h('p', { class: 'muted' }, 'No calls in this range.'),
        h(
          'figcaption',
          {},
          bars.length ? `${bars[0]!.label} → ${bars[bars.length - 1]!.label} (UTC). ` : '',
          `Calls per ${bucket}: ${formatInt(total)} in total; errors in the error colour.`,
        ),
      ),
      h('h2', {}, `By ${GROUP_LABELS[groupBy].toLowerCase()}`),
      sorted.length ? table(sorted, groupBy) : h('p', { class: 'muted' }, 'No records match.'),
    )
  } catch (err) {
    if (ctx.signal.aborted) return
    replaceChildren(root, viewHeading('Stats'), controls(filter, groupBy, range))
    showError(root, err, ctx)
  }
}
