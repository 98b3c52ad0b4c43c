import { ChainVerifier } from '@promptledger/sdk'
import { z } from 'zod'
import { ServerError } from '../../errors.js'
import type { ServerMetrics } from '../../metrics/registry.js'
import { type Storage, statsRowJson } from '../../storage/storage.js'
import { parseQuery, statsQuerySchema, toFilter } from '../query-schema.js'
import type { RouteDef } from '../route-table.js'

export interface SystemRouteDeps {
  storage: Storage
  metrics: ServerMetrics
  stream: string
}

const verifyQuerySchema = z.strictObject({ stream: z.string().min(1).max(1024).optional() })

/** Stats, health, metrics and chain verification. */
export function systemRoutes({ storage, metrics, stream }: SystemRouteDeps): RouteDef[] {
  return [
    {
      method: 'GET',
      url: '/v1/stats',
      role: 'viewer',
      summary: 'Aggregates (count, error rate, latency and ttft percentiles, tokens, cost) with group_by',
      async handler(request) {
        const query = parseQuery(statsQuerySchema, request.query)
        const rows = await storage.stats(toFilter(query), query.group_by ?? null)
        return { group_by: query.group_by ?? null, rows: rows.map(statsRowJson) }
      },
    },
    {
      method: 'GET',
      url: '/healthz',
      role: 'public',
      summary: 'Liveness and the collector stream head',
      async handler() {
        const head = await storage.head(stream)
        return { status: 'ok', stream, seq: head?.seq ?? -1 }
      },
    },
    {
      method: 'GET',
      url: '/metrics',
      role: 'viewer',
      summary: 'Prometheus metrics (text format)',
      async handler(_request, reply) {
        const text = await metrics.registry.metrics()
        return reply.type(metrics.registry.contentType).send(text)
      },
    },
    {
      method: 'GET',
      url: '/v1/verify',
      role: 'auditor',
      summary: "Verifies every stored stream's hash chain (or one, with ?stream=)",
      async handler(request) {
        const query = parseQuery(verifyQuerySchema, request.query)
        const all = await storage.streams()
        // A stream the store never held cannot be "intact": a mistyped name must not read as a verified chain.
        if (query.stream !== undefined && !all.includes(query.stream)) {
          throw new ServerError('NOT_FOUND', `stream: no stream named ${JSON.stringify(query.stream)} in the store`, {
            path: 'stream',
          })
        }
        const names = query.stream !== undefined ? [query.stream] : all
        const streams = []
        for (const name of names) {
          // After retention the chain resumes at an anchor (auth/retention decorates chainAnchor).
          const start = request.server.chainAnchor?.(name)
          const verifier = new ChainVerifier(name, start ? { start } : {})
          for await (const record of storage.scanStream(name)) verifier.check(record)
          const result = verifier.result()
          const head = await storage.head(name)
          // A missing tail (records deleted after the last one) shows as a head the scan never reached.
          const truncated = head !== null && (head.seq !== result.headSeq || head.hash !== result.headHash)
          streams.push({
            stream: name,
            ok: result.ok && !truncated && (head !== null || result.count === 0),
            count: result.count,
            head_seq: result.headSeq,
            head_hash: result.headHash,
            truncated,
            problems: result.problems,
          })
        }
        return { ok: streams.every((s) => s.ok), streams }
      },
    },
  ]
}
