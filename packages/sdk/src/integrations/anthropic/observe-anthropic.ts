import type { CaptureOptions } from '../capture-context.js'
import type { LedgerLike } from '../ledger-like.js'
import { type CallSpec, observeMethod } from '../observe-call.js'
import { proxyObject } from '../proxy-object.js'
import type { AnthropicMessage } from './anthropic-shapes.js'
import { MessageStreamAccumulator, messagesRequestFields, messagesResponseFields } from './messages.js'

const messagesSpec: CallSpec = {
  provider: 'anthropic',
  operation: 'chat',
  request: messagesRequestFields,
  response: (c, req, value) => c.finish(req, messagesResponseFields(value as AnthropicMessage)),
  stream: (c, req, controller) => new MessageStreamAccumulator(c, req, controller),
}

/**
 * Records every `messages.create` call of an Anthropic client, streamed or not, and `messages.stream()` (which
 * streams through `create`), returning the same client type. The caller sees the same messages, events and errors at
 * the same moments. `@anthropic-ai/sdk` is not imported at runtime.
 *
 * @example
 * const anthropic = observeAnthropic(new Anthropic(), ledger, { app: 'support-bot' })
 * await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 256, messages: [{ role: 'user', content: 'Hi' }] })
 */
export function observeAnthropic<T extends object>(client: T, ledger: LedgerLike, options: CaptureOptions = {}): T {
  return proxyObject(
    client,
    {
      messages: (t) =>
        proxyObject((t as unknown as Record<string, object>)['messages'] as Record<string, unknown>, {
          create: (m) => observeMethod(m['create'] as (...a: unknown[]) => unknown, m, ledger, options, messagesSpec),
        }),
    },
    true,
  )
}
