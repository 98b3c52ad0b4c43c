import type { LedgerRecord } from '@promptledger/sdk'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { LOCAL_ACTOR } from './audit-trail.js'
import type { SecurityContext } from './security-context.js'

const isRecord = (value: unknown): value is LedgerRecord =>
  typeof value === 'object' && value !== null && 'id' in value && 'hash' in value && 'stream' in value

/** Decrypts the records in a route's payload (one record, `{ records: [...] }` or an array) and collects their ids. */
export function decryptPayload(security: SecurityContext, payload: unknown): { payload: unknown; ids: string[] } {
  const ids: string[] = []
  const view = (r: LedgerRecord) => {
    ids.push(r.id)
    return r.enc ? security.encryptor.readRecord(r) : r
  }
  if (Array.isArray(payload)) return { payload: payload.map((r) => (isRecord(r) ? view(r) : r)), ids }
  if (isRecord(payload)) return { payload: view(payload), ids }
  if (typeof payload === 'object' && payload !== null && Array.isArray((payload as { records?: unknown }).records)) {
    const body = payload as { records: unknown[] }
    return { payload: { ...body, records: body.records.map((r) => (isRecord(r) ? view(r) : r)) }, ids }
  }
  return { payload, ids }
}

const routeName = (request: FastifyRequest) => `${request.method} ${request.routeOptions.url ?? request.url}`

/** The request's filter for the audit entry; a full-text query is kept only as a keyed digest. */
function filterOf(security: SecurityContext, request: FastifyRequest): Record<string, unknown> {
  const filter: Record<string, unknown> = {
    ...(request.query as object | undefined),
    ...(request.params as object | undefined),
  }
  if (typeof filter['q'] === 'string') {
    filter['q_hmac'] = security.digestQuery(filter['q'])
    delete filter['q']
  }
  return filter
}

/** Whether the request holds a full-text query (`q`) over record content. */
function searchesContent(request: FastifyRequest): boolean {
  const q = (request.query as { q?: unknown } | undefined)?.q
  return typeof q === 'string' && q.trim() !== ''
}

/**
 * Audits every read of record content and decrypts it for the (authorised) reader. Routes declare
 * `readsContent`; their payload is decrypted in `preSerialization`, where the ids are known. Other routes that take a
 * full-text query (stats) are audited as searches. A
 * streaming route (SSE, hijacked) is audited when it opens, since its records are not known yet.
 *
 * @example
 * installReadAudit(app, security)
 */
export function installReadAudit(app: FastifyInstance, security: SecurityContext): void {
  app.addHook('preHandler', async (request) => {
    if (!request.routeOptions.config.readsContent) return
    if (request.headers.accept?.includes('text/event-stream') || request.routeOptions.url?.endsWith('/stream')) {
      security.audit.append({
        actor: request.principal ?? LOCAL_ACTOR,
        action: 'read.tail',
        route: routeName(request),
        filter: filterOf(security, request),
      })
    }
  })
  app.addHook('preSerialization', async (request, reply, payload: unknown) => {
    if (reply.statusCode >= 400) return payload
    if (!request.routeOptions.config.readsContent) {
      // A route that returns no content but searches it (`/v1/stats?q=…` counts the records, or the users, that wrote
      // a word) tells what the content holds: the search is audited, its words kept only as a keyed digest.
      if (searchesContent(request)) {
        security.audit.append({
          actor: request.principal ?? LOCAL_ACTOR,
          action: 'read.search',
          route: routeName(request),
          filter: filterOf(security, request),
        })
      }
      return payload
    }
    const result = decryptPayload(security, payload)
    security.audit.append({
      actor: request.principal ?? LOCAL_ACTOR,
      action: 'read',
      route: routeName(request),
      filter: filterOf(security, request),
      ids: result.ids,
    })
    return result.payload
  })
}
