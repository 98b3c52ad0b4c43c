import type { LedgerRecord, UnsealedRecord } from '../record/schema.js'

/** What stands in for a metadata value or error message whose plaintext lives in `enc.ct`. */
export const ENCRYPTED_PLACEHOLDER = '[encrypted]'
/** What stands in for content whose subject's key was erased. */
export const ERASED_PLACEHOLDER = '[erased]'

/** The content fields of a record, as sealed into `enc.ct`. Short names keep the ciphertext small. */
export interface RecordContent {
  messages?: unknown
  input?: unknown
  output?: unknown
  tool_calls?: unknown
  error_message?: string
  /** Metadata values that are strings, objects or arrays; numbers, booleans and null stay in clear for stats. */
  metadata?: Record<string, unknown>
}

type AnyRecord = UnsealedRecord | LedgerRecord

/**
 * Moves the content fields out of the record (in place) and returns them. Metadata keys stay, with
 * their values replaced by `placeholder`, so filters on a key's presence still work; error.message
 * is a required string in the schema, so it keeps the placeholder too.
 */
export function takeContent(record: AnyRecord, placeholder: string): RecordContent {
  const content: RecordContent = {}
  const req = record.request
  if (req.messages !== undefined) content.messages = req.messages
  if (req.input !== undefined) content.input = req.input
  // Copies without the content keys instead of `delete`: deleting turns an object into a slow
  // dictionary, which made every later stringify and canonical check of the record slower.
  if (content.messages !== undefined || content.input !== undefined) {
    record.request = without(req, 'messages', 'input') as typeof req
  }
  const res = record.response
  if (res) {
    if (res.output !== undefined) content.output = res.output
    if (res.tool_calls !== undefined) content.tool_calls = res.tool_calls
    if (content.output !== undefined || content.tool_calls !== undefined) {
      record.response = without(res, 'output', 'tool_calls') as typeof res
    }
  }
  if (record.error) {
    content.error_message = record.error.message
    record.error.message = placeholder
  }
  let meta: Record<string, unknown> | undefined
  for (const key in record.metadata) {
    const value = record.metadata[key]
    if (value === null || typeof value === 'number' || typeof value === 'boolean') continue
    meta ??= {}
    meta[key] = value
    record.metadata[key] = placeholder
  }
  if (meta) content.metadata = meta
  return content
}

/** Puts decrypted content back into a record (in place). */
export function restoreContent(record: AnyRecord, content: RecordContent): void {
  if (content.messages !== undefined) record.request.messages = content.messages as never
  if (content.input !== undefined) record.request.input = content.input
  if (record.response) {
    if (content.output !== undefined) record.response.output = content.output
    if (content.tool_calls !== undefined) record.response.tool_calls = content.tool_calls as never
  }
  if (record.error && content.error_message !== undefined) record.error.message = content.error_message
  if (content.metadata) Object.assign(record.metadata, content.metadata)
}

/** Marks every placeholder of an erased record as erased. */
export function markErased(record: AnyRecord): void {
  if (record.error) record.error.message = ERASED_PLACEHOLDER
  for (const key in record.metadata) {
    if (record.metadata[key] === ENCRYPTED_PLACEHOLDER) record.metadata[key] = ERASED_PLACEHOLDER
  }
}

/** A shallow copy of `source` without two keys, keeping the others in their order. */
function without(source: object, a: string, b: string): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key in source) {
    if (key !== a && key !== b) out[key] = (source as Record<string, unknown>)[key]
  }
  return out
}
