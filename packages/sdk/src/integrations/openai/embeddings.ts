import type { RequestFields, ResponseFields } from '../call-capture.js'
import { splitRequest } from '../request-split.js'
import type { EmbeddingResponse } from './openai-shapes.js'

/** The request half of an embeddings record: the text(s) go to `input`. */
export function embeddingsRequestFields(body: unknown): RequestFields {
  const split = splitRequest(body, ['input'])
  return { model: split.model, input: split.content['input'], params: split.params }
}

/**
 * The response half: how many vectors of which dimension, not the vectors themselves (kilobytes of floats per input
 * that say nothing to an auditor and would dwarf the record).
 */
export function embeddingsResponseFields(res: EmbeddingResponse): ResponseFields {
  const first = res.data?.[0]?.embedding
  return {
    responseModel: res.model ?? null,
    output: {
      embeddings: res.data?.length ?? 0,
      dimensions: typeof first === 'string' ? null : (first?.length ?? null),
    },
    usage: { inputTokens: res.usage?.prompt_tokens ?? null, outputTokens: 0 },
  }
}
