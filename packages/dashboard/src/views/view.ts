// What every view receives, and the one way views show failures (so 401 always leads to the key prompt).
import { ApiError, getApiKey } from '../api/client.js'
import { h, replaceChildren } from '../dom.js'
import { keyPrompt } from './key-prompt.js'

export interface ViewContext {
  /** Aborted when the user leaves the view: pending fetches and live polling stop. */
  signal: AbortSignal
  /** Renders the current route again (after a key was entered, for example). */
  rerender(): void
}

/** Shows `err` in `root`: a key prompt on 401, a role message on 403, otherwise the error's message. */
export function showError(root: HTMLElement, err: unknown, ctx: ViewContext): void {
  if (ctx.signal.aborted) return
  if (err instanceof ApiError && err.status === 401) {
    replaceChildren(root, keyPrompt(getApiKey() !== null, ctx.rerender))
    return
  }
  const message =
    err instanceof ApiError && err.status === 403
      ? 'This API key does not have a role that may read this view. Ask an admin for a viewer key, or change the key.'
      : err instanceof Error
        ? err.message
        : String(err)
  root.append(h('p', { class: 'error', role: 'alert' }, message))
}

/** A heading that takes focus on navigation, so screen readers announce the new view. */
export function viewHeading(text: string): HTMLHeadingElement {
  return h('h1', { tabindex: -1, id: 'view-title' }, text)
}
