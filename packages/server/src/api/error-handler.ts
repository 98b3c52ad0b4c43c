import type { FastifyError, FastifyInstance } from 'fastify'
import { ServerError, type ServerErrorCode } from '../errors.js'

/** HTTP status of each error code. */
export const statusOf: Record<ServerErrorCode, number> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UPSTREAM_ERROR: 502,
  STORAGE_ERROR: 503,
  CONFIG_INVALID: 500,
  INTERNAL: 500,
}

export interface ErrorBody {
  error: { code: string; message: string; path?: string }
}

function fromFastify(err: FastifyError): ServerError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ServerError('PAYLOAD_TOO_LARGE', 'request body is larger than the limit')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ServerError('BAD_REQUEST', 'unsupported content-type; send application/json or application/x-ndjson')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ServerError('BAD_REQUEST', 'body is not valid JSON')
    default:
      if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
        return new ServerError('BAD_REQUEST', err.message)
      }
      return null
  }
}

/** Every error leaves as `{ error: { code, message, path? } }`; unexpected ones are logged and answered 500. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const known = err instanceof ServerError ? err : fromFastify(err)
    if (!known) {
      request.log.error({ err }, 'unhandled error')
      return reply.status(500).send({ error: { code: 'INTERNAL', message: 'internal error' } } satisfies ErrorBody)
    }
    const status = statusOf[known.code]
    if (status >= 500) request.log.error({ err: known }, known.message)
    const body: ErrorBody = { error: { code: known.code, message: known.message } }
    if (known.path !== undefined) body.error.path = known.path
    return reply.status(status).send(body)
  })
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` },
    } satisfies ErrorBody),
  )
}
