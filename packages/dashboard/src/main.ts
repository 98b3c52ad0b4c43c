// Entry point: the header (navigation, collector health, API key) and a hash router that renders one view at a
// time. Leaving a view aborts its fetches and live polling.
import { api, getApiKey, setApiKey } from './api/client.js'
import { h, replaceChildren } from './dom.js'
import { parseRoute } from './query.js'
import { alertsView } from './views/alerts-view.js'
import { recordDetailView } from './views/record-detail-view.js'
import { recordsView } from './views/records-view.js'
import { statsView } from './views/stats-view.js'
import type { ViewContext } from './views/view.js'

const main = document.getElementById('main') as HTMLElement
const nav = document.getElementById('nav') as HTMLElement
const health = document.getElementById('health') as HTMLElement
const keyButton = document.getElementById('key-button') as HTMLButtonElement

let current: AbortController | null = null

function markNav(view: string): void {
  for (const a of nav.querySelectorAll('a')) {
    const target = a.getAttribute('href')?.replace('#/', '')
    if (target === view || (target === 'records' && view === 'record')) a.setAttribute('aria-current', 'page')
    else a.removeAttribute('aria-current')
  }
}

function updateKeyButton(): void {
  keyButton.hidden = getApiKey() === null
}

let lastView: string | null = null

async function render(): Promise<void> {
  current?.abort()
  const controller = new AbortController()
  current = controller
  const route = parseRoute(location.hash)
  // A new view takes focus at its heading (screen readers announce it); a view redrawn for its own options (a group-by
  // or range picked with the arrow keys, filters applied) keeps the focus where the user is.
  const refocus = route.view !== lastView
  lastView = route.view
  const focused = document.activeElement?.id
  markNav(route.view)
  updateKeyButton()
  const ctx: ViewContext = {
    signal: controller.signal,
    rerender: () => void render(),
  }
  replaceChildren(main)
  if (route.view === 'record') await recordDetailView(main, route.id, ctx)
  else if (route.view === 'stats') await statsView(main, route.filter, route.groupBy, route.range, ctx)
  else if (route.view === 'alerts') await alertsView(main, ctx)
  else await recordsView(main, route.filter, ctx)
  updateKeyButton()
  if (controller.signal.aborted) return
  const again = !refocus && focused ? document.getElementById(focused) : null
  // The key prompt focuses its own field; otherwise the heading, or the control that was in use.
  if (main.querySelector('#api-key') === null)
    (again ?? main.querySelector<HTMLElement>('h1'))?.focus({ preventScroll: true })
}

/** How often the header asks the collector whether it is up. */
const HEALTH_INTERVAL_MS = 10_000

async function checkHealth(): Promise<void> {
  try {
    await api.health()
    replaceChildren(health, h('span', { class: 'dot dot-ok', 'aria-hidden': 'true' }), 'collector up')
  } catch {
    // Shown, not swallowed: the header reports the collector as unreachable.
    replaceChildren(health, h('span', { class: 'dot dot-bad', 'aria-hidden': 'true' }), 'collector unreachable')
  }
}

// The skip link must not change the hash (the hash is the router's), so it moves focus itself.
document.querySelector('.skip-link')?.addEventListener('click', (e) => {
  e.preventDefault()
  main.focus()
})
keyButton.addEventListener('click', () => {
  setApiKey(null)
  void render()
})
window.addEventListener('hashchange', () => void render())
void checkHealth()
// Kept current: a collector that stops (or comes back) shows in the header within the interval.
setInterval(() => void checkHealth(), HEALTH_INTERVAL_MS)
void render()
