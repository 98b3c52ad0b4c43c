// A tiny element builder. Text always goes through text nodes (`createTextNode`), never `innerHTML`: records hold
// untrusted prompt and model text, and this is the one place that turns data into DOM.

export type Child = Node | string | number | null | undefined | false | Child[]
type Listener = (event: Event) => void
export type Props = Record<string, string | number | boolean | null | undefined | Listener>

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    if (Array.isArray(child)) append(parent, child)
    else if (typeof child === 'string' || typeof child === 'number')
      parent.appendChild(document.createTextNode(String(child)))
    else parent.appendChild(child)
  }
}

function applyProps(el: Element, props: Props | undefined): void {
  if (!props) return
  for (const [name, value] of Object.entries(props)) {
    if (typeof value === 'function') {
      el.addEventListener(name.slice(2).toLowerCase(), value)
    } else if (value === true) {
      el.setAttribute(name, '')
    } else if (value !== false && value !== null && value !== undefined) {
      el.setAttribute(name, String(value))
    }
  }
}

/**
 * Creates an HTML element; props become attributes (`onclick`-style keys become listeners).
 *
 * @example h('a', { href: '#/records', class: 'nav' }, 'Records')
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  applyProps(el, props)
  append(el, children)
  return el
}

/** Creates an SVG element (attributes only; no inline style, so the CSP needs no `unsafe-inline`). */
export function svg(tag: string, props?: Props, ...children: Child[]): SVGElement {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag)
  applyProps(el, props)
  append(el, children)
  return el
}

/** Replaces all children of `el`. */
export function replaceChildren(el: Element, ...children: Child[]): void {
  while (el.firstChild) el.removeChild(el.firstChild)
  append(el, children)
}

/** A `<pre>` of untrusted text, wrapped and scrollable. */
export function textBlock(text: string, label?: string): HTMLPreElement {
  return h('pre', { class: 'text-block', tabindex: 0, 'aria-label': label }, text)
}

/** A definition list from label/value pairs; empty values are skipped. */
export function defList(pairs: Array<[string, Child]>): HTMLDListElement {
  const dl = h('dl', { class: 'facts' })
  for (const [label, value] of pairs) {
    if (value === null || value === undefined || value === '' || value === false) continue
    dl.append(h('dt', {}, label), h('dd', {}, value))
  }
  return dl
}
