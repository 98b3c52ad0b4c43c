import type { LedgerRecord } from '@promptledger/sdk'
import { ServerError } from '../../errors.js'
import { IngestBusyError, type IngestService } from '../../ingest/ingest-service.js'
import { decodeBatch, validateBatch } from '../../ingest/parse-batch.js'
import type { ServerMetrics } from '../../metrics/registry.js'
import type { Storage } from '../../storage/storage.js'
import { parseQuery, recordsQuerySchema, streamQuerySchema, toFilter } from '../query-schema.js'
import { matchesFilter } from '../record-match.js'
import type { RouteDef } from '../route-table.js'

export interface RecordsRouteDeps {
  storage: Storage
  ingest: IngestService
  metrics: ServerMetrics
}

/** Ingest, query, fetch one, and the live stream of records. */
export function recordsRoutes({ storage, ingest, metrics }: RecordsRouteDeps): RouteDef[] {
  return [
    {
      method: 'POST',
      url: '/v1/records',
      role: 'ingest',
      summary: 'Ingest a batch (JSON array or NDJSON); redacted, sealed into the collector stream, idempotent by id',
      async handler(request, reply) {
        const body = request.body
        if (!Buffer.isBuffer(body)) throw new ServerError('BAD_REQUEST', 'a body is required')
        const ndjson = (request.headers['content-type'] ?? '').includes('ndjson')
        let batch: ReturnType<typeof validateBatch>
        try {
          batch = validateBatch(decodeBatch(body, ndjson))
        } catch (err) {
          metrics.rejectedBatches.inc({ reason: err instanceof ServerError ? err.code : 'INTERNAL' })
          throw err
        }
        try {
          ingest.admit(batch.length)
        } catch (err) {
          // The store is behind: clients (the SDK retries 503s) come back after this many seconds.
          if (err instanceof IngestBusyError) reply.header('retry-after', String(err.retryAfter))
          throw err
        }
        const result = await ingest.ingest(batch)
        return reply.status(200).send({
          accepted: result.accepted,
          duplicates: result.duplicates,
          stream: ingest.stream,
          first_seq: result.firstSeq,
          last_seq: result.lastSeq,
        })
      },
    },
    {
      method: 'GET',
      url: '/v1/records',
      role: 'viewer',
      readsContent: true,
      summary: 'Records newest first; filters and cursor pagination',
      async handler(request) {
        const query = parseQuery(recordsQuerySchema, request.query)
        const page = await storage.query(toFilter(query), {
          limit: query.limit,
          ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
        })
        return { records: page.records, next_cursor: page.nextCursor }
      },
    },
    {
      method: 'GET',
      url: '/v1/records/stream',
      role: 'viewer',
      readsContent: true,
      summary: 'Server-sent events: each record as it is stored (this collector only)',
      async handler(request, reply) {
        const filter = toFilter(parseQuery(streamQuerySchema, request.query))
        reply.hijack()
        const res = reply.raw
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
        })
        res.write(': connected\n\n')
        const onRecords = (records: LedgerRecord[]) => {
          for (const record of records) {
            // Auth decorates `recordView` to decrypt for the authorised reader (and so `q` matches content).
            const view = request.server.recordView ? (request.server.recordView(record) as LedgerRecord) : record
            if (matchesFilter(view, filter)) res.write(`event: record\ndata: ${JSON.stringify(view)}\n\n`)
          }
        }
        ingest.on('records', onRecords)
        // Comment lines keep proxies from closing an idle stream.
        const keepAlive = setInterval(() => res.write(': ping\n\n'), 15_000)
        keepAlive.unref()
        request.raw.on('close', () => {
          clearInterval(keepAlive)
          ingest.off('records', onRecords)
        })
      },
    },
    {
      method: 'GET',
      url: '/v1/records/:id',
      role: 'viewer',
      readsContent: true,
      summary: 'One record by id',
      async handler(request) {
        const { id } = request.params as { id: string }
        const record = await storage.get(id)
        if (!record) throw new ServerError('NOT_FOUND', 'no record with this id', { path: 'id' })
        return record
      },
    },
  ]
}
