import { z } from 'zod'
import { ServerError } from '../errors.js'
import { isoTimeMs } from '../storage/backend-common.js'
import type { GroupBy, RecordFilter } from '../storage/storage.js'

const iso = z.string().refine((s) => isoTimeMs(s) !== null, 'expected an ISO-8601 time')
const text = z.string().min(1).max(1024)

const filterShape = {
  from: iso.optional(),
  to: iso.optional(),
  model: text.optional(),
  provider: text.optional(),
  user_id: text.optional(),
  session_id: text.optional(),
  status: z.enum(['ok', 'error']).optional(),
  tag: text.optional(),
  app: text.optional(),
  q: z.string().max(1024).optional(),
}

export const recordsQuerySchema = z.strictObject({
  ...filterShape,
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().max(64).optional(),
})

export const statsQuerySchema = z.strictObject({
  ...filterShape,
  group_by: z.enum(['model', 'provider', 'user_id', 'app', 'status', 'hour', 'day']).optional(),
})

export const streamQuerySchema = z.strictObject(filterShape)

/** Parses a query string with a schema; the error names the parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const result = schema.safeParse(query)
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const name = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.map(String).join('.')
  const message = issue.code === 'unrecognized_keys' ? 'unknown query parameter' : issue.message
  throw new ServerError('BAD_REQUEST', `${name}: ${message}`, { path: name })
}

type FilterQuery = { [K in keyof typeof filterShape]?: string }

/** The API's snake_case parameters as a storage filter. */
export function toFilter(query: FilterQuery): RecordFilter {
  const filter: RecordFilter = {}
  if (query.from !== undefined) filter.from = query.from
  if (query.to !== undefined) filter.to = query.to
  if (query.model !== undefined) filter.model = query.model
  if (query.provider !== undefined) filter.provider = query.provider
  if (query.user_id !== undefined) filter.userId = query.user_id
  if (query.session_id !== undefined) filter.sessionId = query.session_id
  if (query.status !== undefined) filter.status = query.status as 'ok' | 'error'
  if (query.tag !== undefined) filter.tag = query.tag
  if (query.app !== undefined) filter.app = query.app
  if (query.q !== undefined) filter.q = query.q
  return filter
}

export type { GroupBy }
