// An inline SVG bar chart of counts over time. Sized by attributes (viewBox), not inline styles, so it needs no CSP
// exception; every bar carries a <title> for pointer users and the figure a text summary for screen readers.
import { svg } from './dom.js'
import { formatInt } from './format.js'

export interface Bar {
  label: string
  value: number
  /** Part of the value drawn in the error colour (error count). */
  part?: number
}

/**
 * A bar chart of `bars` in order.
 *
 * @example barChart([{ label: '10:00', value: 3, part: 1 }], 'Calls per hour')
 */
export function barChart(bars: Bar[], label: string): SVGElement {
  const width = 600
  const height = 120
  const max = Math.max(1, ...bars.map((b) => b.value))
  const step = bars.length ? width / bars.length : width
  const gap = step > 4 ? 1 : 0
  const total = bars.reduce((s, b) => s + b.value, 0)
  return svg(
    'svg',
    {
      class: 'chart',
      viewBox: `0 0 ${width} ${height}`,
      preserveAspectRatio: 'none',
      role: 'img',
      'aria-label': `${label}: ${formatInt(total)} in ${bars.length} buckets, peak ${formatInt(max)}`,
    },
    bars.map((b, i) => {
      const h = (b.value / max) * height
      const eh = b.part ? (b.part / max) * height : 0
      const x = i * step
      const w = Math.max(step - gap, 0.5)
      return svg(
        'g',
        {},
        svg('title', {}, `${b.label}: ${formatInt(b.value)}${b.part ? ` (${formatInt(b.part)} errors)` : ''}`),
        svg('rect', { class: 'bar', x, y: height - h, width: w, height: h }),
        eh ? svg('rect', { class: 'bar-error', x, y: height - eh, width: w, height: eh }) : null,
      )
    }),
  )
}
