import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'
import { LlmMetrics } from './llm-metrics.js'

/** The collector's Prometheus metrics; one registry per app so tests and several apps never share counters. */
export interface ServerMetrics {
  registry: Registry
  ingestedRecords: Counter
  duplicateRecords: Counter
  rejectedBatches: Counter<'reason'>
  httpDuration: Histogram<'method' | 'route' | 'status'>
  /** Requests, errors, latency, ttft, tokens, cost, redactions and signals, from each stored batch. */
  llm: LlmMetrics
  /** Items dropped by a full bounded queue, by queue (e.g. `alert_notifications`). */
  queueDropped: Counter<'queue'>
}

/**
 * @example
 * const metrics = createMetrics()
 * metrics.ingestedRecords.inc(10)
 * await metrics.registry.metrics() // Prometheus text
 */
export function createMetrics(options: { defaultMetrics?: boolean } = {}): ServerMetrics {
  const registry = new Registry()
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'promptledger_' })
  return {
    registry,
    ingestedRecords: new Counter({
      name: 'promptledger_ingested_records_total',
      help: 'Records sealed and stored by this collector',
      registers: [registry],
    }),
    duplicateRecords: new Counter({
      name: 'promptledger_duplicate_records_total',
      help: 'Records skipped because their id was already stored (client retries)',
      registers: [registry],
    }),
    rejectedBatches: new Counter({
      name: 'promptledger_rejected_batches_total',
      help: 'Ingest batches rejected whole, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'promptledger_http_request_duration_seconds',
      help: 'HTTP request duration by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    llm: new LlmMetrics(registry),
    queueDropped: new Counter({
      name: 'promptledger_queue_dropped_total',
      help: 'Items dropped because a bounded queue was full, by queue',
      labelNames: ['queue'],
      registers: [registry],
    }),
  }
}
