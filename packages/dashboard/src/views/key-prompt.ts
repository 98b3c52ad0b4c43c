// Asked for when the collector answers 401. The key is kept in sessionStorage for this tab only.
import { setApiKey } from '../api/client.js'
import { h } from '../dom.js'

/** A form that saves an API key and re-renders the view. */
export function keyPrompt(rejected: boolean, onSaved: () => void): HTMLElement {
  const input = h('input', {
    id: 'api-key',
    name: 'api-key',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
  })
  const form = h(
    'form',
    {
      class: 'key-prompt',
      'aria-labelledby': 'key-title',
      onsubmit: (e: Event) => {
        e.preventDefault()
        setApiKey(input.value.trim() || null)
        onSaved()
      },
    },
    h('h1', { id: 'key-title', tabindex: -1 }, 'API key required'),
    h(
      'p',
      { role: rejected ? 'alert' : null },
      rejected
        ? 'The collector rejected the saved API key. Enter another one.'
        : 'This collector requires an API key with the viewer role (or higher).',
    ),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('p', { class: 'hint' }, 'Kept in this browser tab only (sessionStorage) and sent as a bearer token.'),
    h('button', { type: 'submit' }, 'Use this key'),
  )
  queueMicrotask(() => input.focus())
  return form
}
