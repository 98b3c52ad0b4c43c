import type { CallCapture, RequestFields } from '../call-capture.js'
import type { CaptureOptions } from '../capture-context.js'
import type { LedgerLike } from '../ledger-like.js'
import { type CallSpec, observeMethod } from '../observe-call.js'
import { proxyObject } from '../proxy-object.js'
import { ChatStreamAccumulator, chatRequestFields, chatResponseFields } from './chat-completions.js'
import { embeddingsRequestFields, embeddingsResponseFields } from './embeddings.js'
import type { ChatCompletion, EmbeddingResponse, ResponseObject } from './openai-shapes.js'
import { finishResponse, ResponsesStreamAccumulator, responsesRequestFields } from './responses.js'

const chatSpec: CallSpec = {
  provider: 'openai',
  operation: 'chat',
  request: chatRequestFields,
  response: (c, req, value) => c.finish(req, chatResponseFields(value as ChatCompletion)),
  stream: (c, req, controller) => new ChatStreamAccumulator(c, req, controller),
}

const responsesSpec: CallSpec = {
  provider: 'openai',
  operation: 'responses',
  request: responsesRequestFields,
  response: (c, req, value) => finishResponse(c, req, value as ResponseObject),
  stream: (c, req, controller) => new ResponsesStreamAccumulator(c, req, controller),
}

const embeddingsSpec: CallSpec = {
  provider: 'openai',
  operation: 'embeddings',
  request: embeddingsRequestFields,
  response: (c: CallCapture, req: RequestFields, value) =>
    c.finish(req, embeddingsResponseFields(value as EmbeddingResponse)),
}

type Resource = Record<string, unknown>

function withCreate(ledger: LedgerLike, options: CaptureOptions, spec: CallSpec) {
  return (resource: object) =>
    proxyObject(resource as Resource, {
      create: (t) => observeMethod(t['create'] as (...a: unknown[]) => unknown, t, ledger, options, spec),
    })
}

/**
 * Records every `chat.completions.create`, `responses.create` and `embeddings.create` call of an OpenAI client,
 * streamed or not, and returns the same client type. Nothing about the calls changes: the same promises, objects and
 * stream chunks reach the caller at the same moments. `openai` is not imported at runtime.
 *
 * Identity comes from the options (fixed values or functions read at each call) and from `withContext()`.
 * Not captured: helpers that call the unwrapped client internally (`chat.completions.stream/parse/runTools`) and
 * calls read only through `.asResponse()`.
 *
 * @example
 * const openai = observeOpenAI(new OpenAI(), ledger, { app: 'support-bot', userId: () => session.user })
 * await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] })
 */
export function observeOpenAI<T extends object>(client: T, ledger: LedgerLike, options: CaptureOptions = {}): T {
  return proxyObject(
    client,
    {
      chat: (t) =>
        proxyObject((t as unknown as Resource)['chat'] as Resource, {
          completions: (chat) => withCreate(ledger, options, chatSpec)(chat['completions'] as object),
        }),
      responses: (t) => withCreate(ledger, options, responsesSpec)((t as unknown as Resource)['responses'] as object),
      embeddings: (t) =>
        withCreate(ledger, options, embeddingsSpec)((t as unknown as Resource)['embeddings'] as object),
    },
    true,
  )
}
