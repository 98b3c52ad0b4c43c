// Alerts: open ones first, then history. A collector without alerting answers 404, shown as "not available".
import { ApiError, api } from '../api/client.js'
import type { AlertView } from '../api/types.js'
import { h, replaceChildren } from '../dom.js'
import { formatTime } from '../format.js'
import { showError, type ViewContext, viewHeading } from './view.js'

function alertTable(caption: string, alerts: AlertView[], empty: string): HTMLElement {
  if (!alerts.length) return h('p', { class: 'muted' }, empty)
  const value = (a: AlertView) =>
    a.value == null
      ? '—'
      : `${a.value.toLocaleString('en-US', { maximumFractionDigits: 4 })}${a.threshold != null ? ` (threshold ${a.threshold.toLocaleString('en-US', { maximumFractionDigits: 4 })})` : ''}`
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'alerts' },
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Rule', 'Scope', 'Value', 'Opened (UTC)', 'Resolved (UTC)', 'Message'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        alerts.map((a) =>
          h(
            'tr',
            { class: a.state === 'open' ? 'alert-open' : null },
            h('th', { scope: 'row' }, a.rule),
            h('td', {}, a.scope ?? '—'),
            h('td', { class: 'num' }, value(a)),
            h('td', {}, formatTime(a.openedAt)),
            h('td', {}, a.resolvedAt ? formatTime(a.resolvedAt) : '—'),
            h('td', {}, a.message ?? ''),
          ),
        ),
      ),
    ),
  )
}

/** Renders the alerts view into `root`. */
export async function alertsView(root: HTMLElement, ctx: ViewContext): Promise<void> {
  const refresh = h('button', { type: 'button', class: 'secondary', onclick: () => ctx.rerender() }, 'Refresh')
  replaceChildren(root, viewHeading('Alerts'), h('p', { role: 'status' }, 'Loading…'))
  try {
    const { open, history } = await api.alerts(ctx.signal)
    if (ctx.signal.aborted) return
    replaceChildren(
      root,
      viewHeading('Alerts'),
      h(
        'div',
        { class: 'toolbar' },
        refresh,
        h('p', { class: 'summary', role: 'status' }, `${open.length} open, ${history.length} resolved`),
      ),
      alertTable('Open alerts', open, 'No open alerts.'),
      h('h2', {}, 'History'),
      alertTable('Resolved alerts', history, 'No resolved alerts yet.'),
    )
  } catch (err) {
    if (ctx.signal.aborted) return
    replaceChildren(root, viewHeading('Alerts'))
    if (err instanceof ApiError && err.status === 404) {
      root.append(
        h(
          'p',
          { class: 'notice', role: 'status', 'data-state': 'unavailable' },
          'Alerts are not available on this collector (GET /v1/alerts answered 404). Alerting may not be configured or this collector version does not include it.',
        ),
      )
      return
    }
    showError(root, err, ctx)
  }
}
