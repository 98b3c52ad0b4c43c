// The subset of the collector's JSON the dashboard reads. Every field is treated as possibly missing or of the
// wrong type: the UI renders what it can and never trusts record content (it is untrusted user/model text).

/** A `LedgerRecord` (packages/sdk/src/record/schema.ts) as the dashboard sees it. */
export interface RecordView {
  id: string
  ts: string
  end_ts?: string | null
  latency_ms?: number | null
  ttft_ms?: number | null
  stream?: string
  seq?: number
  prev_hash?: string
  hash?: string
  provider?: string | null
  operation?: string
  request?: {
    model?: string | null
    messages?: Array<{ role?: string; content?: unknown; [k: string]: unknown }>
    input?: unknown
    params?: Record<string, unknown>
    tools?: unknown[]
  } | null
  response?: {
    model?: string | null
    id?: string | null
    output?: unknown
    finish_reasons?: string[]
    tool_calls?: Array<{ id?: string | null; type?: string | null; name?: string; arguments?: string }>
  } | null
  usage?: {
    input_tokens?: number | null
    output_tokens?: number | null
    cache_read_tokens?: number | null
    cache_write_tokens?: number | null
    reasoning_tokens?: number | null
    estimated?: boolean
  } | null
  cost_usd?: number | null
  status?: 'ok' | 'error' | string
  error?: { type?: string; message?: string; http_status?: number | null } | null
  user_id?: string | null
  session_id?: string | null
  trace_id?: string | null
  span_id?: string | null
  parent_span_id?: string | null
  app?: string | null
  environment?: string | null
  tags?: string[]
  metadata?: Record<string, unknown>
  prompt_hash?: string | null
  redacted?: boolean
  redactions?: Record<string, number>
  enc?: { alg?: string; key_id?: string; subject?: string } | null
  signals?: Record<string, unknown> | null
  /** The user's data key was destroyed: the content is gone, the metadata and chain stay. */
  erased?: boolean
  /** The collector holds no key for this content (`KEY_NOT_FOUND`), or its ciphertext was altered (`DECRYPT_FAILED`). */
  unreadable?: string
}

export interface RecordPage {
  records: RecordView[]
  nextCursor: string | null
}

/** One stats group, normalised from the collector's `StatsRow` (camelCase or snake_case). */
export interface StatsRowView {
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
  /** Sum of the known costs; null when no record of the group has a price. */
  costUsd: number | null
  /** Records with a known cost: fewer than `count` makes `costUsd` a lower bound. */
  pricedCount: number
}

/** One alert, normalised from whatever shape `GET /v1/alerts` returns. */
export interface AlertView {
  id: string | null
  rule: string
  scope: string | null
  state: 'open' | 'resolved'
  value: number | null
  threshold: number | null
  openedAt: string | null
  resolvedAt: string | null
  message: string | null
}

export interface AlertsView {
  open: AlertView[]
  history: AlertView[]
}
