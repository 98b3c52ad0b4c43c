import type { LedgerRecord } from '@promptledger/sdk'
import type { ChainWriter } from './chain-writer.js'

/** Filters shared by query, stats and export. Times are ISO-8601 strings; `to` is exclusive. */
export interface RecordFilter {
  from?: string
  to?: string
  model?: string
  provider?: string
  userId?: string
  sessionId?: string
  status?: 'ok' | 'error'
  tag?: string
  app?: string
  /** Full-text search over redacted content. */
  q?: string
}

export interface Page {
  limit: number
  /** Opaque cursor returned by the previous page. */
  cursor?: string
}

export interface QueryResult {
  records: LedgerRecord[]
  nextCursor: string | null
}

export type GroupBy = 'model' | 'provider' | 'user_id' | 'app' | 'status' | 'hour' | 'day'

export interface StatsRow {
  /** The group's value (model name, ISO hour, …); null for records without one. */
  key: string | null
  count: number
  errors: number
  errorRate: number
  latencyP50: number | null
  latencyP95: number | null
  latencyP99: number | null
  ttftP50: number | null
  ttftP95: number | null
  inputTokens: number
  outputTokens: number
  /**
   * Sum of the group's known `cost_usd`; null when no record of the group has one (unpriced models). When
   * `pricedCount < count` it is a lower bound: the other records' cost is unknown, not zero.
   */
  costUsd: number | null
  /** Records of the group with a known `cost_usd`. */
  pricedCount: number
  /** Mean characters of response output (alerts compare it with a baseline). */
  avgResponseChars: number | null
  /** Records whose `signals.uncertainty` is true. */
  uncertain: number
  /** Records whose response held personal data before redaction (`signals.pii_in_response`). */
  piiLeaks: number
  /** Highest `signals.injection_score` in the group. */
  injectionMax: number | null
}

/** A stats row as the HTTP API writes it: the same fields, snake_case like the rest of the API. */
export interface StatsRowJson {
  key: string | null
  count: number
  errors: number
  error_rate: number
  latency_p50: number | null
  latency_p95: number | null
  latency_p99: number | null
  ttft_p50: number | null
  ttft_p95: number | null
  input_tokens: number
  output_tokens: number
  cost_usd: number | null
  priced_count: number
  avg_response_chars: number | null
  uncertain: number
  pii_leaks: number
  injection_max: number | null
}

/** `row` as the API writes it. */
export function statsRowJson(row: StatsRow): StatsRowJson {
  return {
    key: row.key,
    count: row.count,
    errors: row.errors,
    error_rate: row.errorRate,
    latency_p50: row.latencyP50,
    latency_p95: row.latencyP95,
    latency_p99: row.latencyP99,
    ttft_p50: row.ttftP50,
    ttft_p95: row.ttftP95,
    input_tokens: row.inputTokens,
    output_tokens: row.outputTokens,
    cost_usd: row.costUsd,
    priced_count: row.pricedCount,
    avg_response_chars: row.avgResponseChars,
    uncertain: row.uncertain,
    pii_leaks: row.piiLeaks,
    injection_max: row.injectionMax,
  }
}

export interface AppendResult {
  inserted: number
  /** Records whose id was already stored; they are skipped, never stored twice. */
  duplicates: number
}

/** The head of one sealed stream, so a collector can continue its chain after a restart. */
export interface StreamHead {
  stream: string
  seq: number
  hash: string
}

/**
 * Where the collector keeps records. One folder per backend (`sqlite/`, `postgres/`, `clickhouse/`),
 * and one case suite (`storage.case.ts`) that every backend passes. Stores know nothing of HTTP or
 * roles: the API enforces those.
 */
export interface Storage {
  /** Stores sealed records in one transaction; duplicates by id are skipped. */
  append(batch: readonly LedgerRecord[]): Promise<AppendResult>
  /** Which of these ids are already stored (the collector skips them before sealing). */
  existingIds(ids: readonly string[]): Promise<Set<string>>
  query(filter: RecordFilter, page: Page): Promise<QueryResult>
  get(id: string): Promise<LedgerRecord | null>
  stats(filter: RecordFilter, groupBy: GroupBy | null): Promise<StatsRow[]>
  /** The last sealed record of a stream, or null for a new stream. */
  head(stream: string): Promise<StreamHead | null>
  /** Records of one stream in seq order, for verification. */
  scanStream(stream: string, fromSeq?: number): AsyncIterable<LedgerRecord>
  streams(): Promise<string[]>
  /** Deletes records older than `ts`; returns how many. */
  deleteBefore(ts: string): Promise<number>
  /** Purges a subject's derived plaintext (search index rows, caches); returns affected records. */
  eraseSubject(userId: string): Promise<number>
  close(): Promise<void>
  /**
   * The store's own way to seal and append ingested batches (e.g. on a thread that owns its write connection);
   * absent or null: ingest seals on its thread and calls `append` (`InlineChainWriter`).
   */
  chainWriter?(stream: string): ChainWriter | null
}

/**
 * The canonical JSON line of a sealed record, kept by the ingest path that sealed it (the seal already
 * encoded the whole record to hash it). A store writes it as the record body instead of serializing the
 * record again; absent means the store serializes. Weak: entries go with their records.
 *
 * @example
 * const { record, line } = chain.sealEncoded(unsealed)
 * canonicalLines.set(record, line)
 */
export const canonicalLines = new WeakMap<LedgerRecord, string>()
