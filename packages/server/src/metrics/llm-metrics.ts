import type { LedgerRecord } from '@promptledger/sdk'
import { Counter, type Registry } from 'prom-client'
import { BucketHistogram } from './bucket-histogram.js'
import { LabelCap } from './label-cap.js'

/** OpenTelemetry GenAI bucket boundaries (semantic conventions, `gen_ai.client.operation.duration`). */
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]
/** OpenTelemetry GenAI bucket boundaries (`gen_ai.client.token.usage`). */
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]
const TTFT_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30]
const TOKEN_FIELDS = [
  ['input_tokens', 'input'],
  ['output_tokens', 'output'],
  ['cache_read_tokens', 'cache_read'],
  ['cache_write_tokens', 'cache_write'],
  ['reasoning_tokens', 'reasoning'],
] as const

/** Prometheus metrics derived from stored records, updated once per ingested batch. */
export class LlmMetrics {
  readonly #requests: Counter<'provider' | 'model' | 'operation' | 'status' | 'app'>
  readonly #errors: Counter<'provider' | 'model' | 'error_type'>
  readonly #duration: BucketHistogram
  readonly #tokenUsage: BucketHistogram
  readonly #ttft: BucketHistogram
  readonly #tokens: Counter<'provider' | 'model' | 'type'>
  readonly #cost: Counter<'provider' | 'model' | 'app'>
  readonly #redactions: Counter<'entity_type'>
  readonly #piiInResponse: Counter<'entity_type'>
  readonly #uncertain: Counter<'model'>
  readonly #injection: Counter<'rule'>
  readonly #model = new LabelCap(200)
  readonly #provider = new LabelCap(50)
  readonly #app = new LabelCap(200)
  readonly #entity = new LabelCap(100)
  readonly #errorType = new LabelCap(100)
  readonly #rule = new LabelCap(50)

  constructor(registry: Registry) {
    const registers = [registry]
    this.#requests = new Counter({
      name: 'promptledger_llm_requests_total',
      help: 'LLM calls recorded, by provider, model, operation, status and app',
      labelNames: ['provider', 'model', 'operation', 'status', 'app'],
      registers,
    })
    this.#errors = new Counter({
      name: 'promptledger_llm_errors_total',
      help: 'LLM calls that ended in an error, by error type',
      labelNames: ['provider', 'model', 'error_type'],
      registers,
    })
    this.#duration = new BucketHistogram(
      registry,
      'gen_ai_client_operation_duration_seconds',
      'GenAI operation duration (OpenTelemetry gen_ai.client.operation.duration)',
      DURATION_BUCKETS,
    )
    this.#tokenUsage = new BucketHistogram(
      registry,
      'gen_ai_client_token_usage',
      'Tokens used per call (OpenTelemetry gen_ai.client.token.usage)',
      TOKEN_BUCKETS,
    )
    this.#ttft = new BucketHistogram(
      registry,
      'promptledger_llm_ttft_seconds',
      'Time to first token of streamed calls',
      TTFT_BUCKETS,
    )
    this.#tokens = new Counter({
      name: 'promptledger_llm_tokens_total',
      help: 'Tokens by type (input, output, cache_read, cache_write, reasoning)',
      labelNames: ['provider', 'model', 'type'],
      registers,
    })
    this.#cost = new Counter({
      name: 'promptledger_llm_cost_usd_total',
      help: 'Cost in USD from the price table (calls with unknown prices add nothing)',
      labelNames: ['provider', 'model', 'app'],
      registers,
    })
    this.#redactions = new Counter({
      name: 'promptledger_redactions_total',
      help: 'Personal data and secrets removed before storage, by entity type',
      labelNames: ['entity_type'],
      registers,
    })
    this.#piiInResponse = new Counter({
      name: 'promptledger_pii_in_response_total',
      help: 'Personal data found in model responses before redaction, by entity type',
      labelNames: ['entity_type'],
      registers,
    })
    this.#uncertain = new Counter({
      name: 'promptledger_uncertain_responses_total',
      help: 'Responses containing an uncertainty phrase',
      labelNames: ['model'],
      registers,
    })
    this.#injection = new Counter({
      name: 'promptledger_injection_signals_total',
      help: 'Prompts on which an injection heuristic fired, by rule',
      labelNames: ['rule'],
      registers,
    })
  }

  /**
   * Updates every metric from one stored batch. It runs on the ingest path, so records are grouped by
   * their label values first (one map lookup per record) and each counter gets one `inc` per label set and
   * batch: prom-client validates and hashes labels on every call (~2 µs each, a dozen per record otherwise).
   * Histograms are `BucketHistogram`s whose series are looked up once per group.
   */
  observe(batch: readonly LedgerRecord[]): void {
    const groups = new Map<string, Group>()
    const sums = new Map<string, { counter: Counter<string>; labels: Record<string, string>; n: number }>()
    const add = (counter: Counter<string>, labels: Record<string, string>, n = 1) => {
      let key = (counter as unknown as { name: string }).name
      for (const v of Object.values(labels)) key += `\u0000${v}`
      const entry = sums.get(key)
      if (entry) entry.n += n
      else sums.set(key, { counter, labels, n })
    }
    for (const r of batch) {
      const model = r.request.model ?? r.response?.model
      const errorType = r.status === 'error' ? (r.error?.type ?? 'error') : ''
      const key = `${r.provider}\u0000${model}\u0000${r.app}\u0000${r.operation}\u0000${r.status}\u0000${errorType}`
      let g = groups.get(key)
      if (!g) {
        g = this.#group(r.provider, model, r.app, r.operation, r.status, errorType)
        groups.set(key, g)
      }
      g.n++
      if (r.latency_ms !== null) this.#duration.observe(g.duration, r.latency_ms / 1000)
      if (r.ttft_ms !== null) this.#ttft.observe(g.ttft, r.ttft_ms / 1000)
      if (r.usage) {
        for (let i = 0; i < TOKEN_FIELDS.length; i++) {
          const n = r.usage[TOKEN_FIELDS[i]![0]]
          if (n === null || n === undefined) continue
          g.tokens[i]! += n
          g.tokenSeen[i] = true
          if (i === 0) this.#tokenUsage.observe(g.tokenIn, n)
          else if (i === 1) this.#tokenUsage.observe(g.tokenOut, n)
        }
      }
      if (r.cost_usd !== null && r.cost_usd > 0) g.cost += r.cost_usd
      this.#observeSignals(r, g.labels.model, add)
    }
    for (const g of groups.values()) this.#flushGroup(g, add)
    for (const { counter, labels, n } of sums.values()) counter.inc(labels, n)
  }

  #group(
    rawProvider: string | null,
    rawModel: string | null | undefined,
    rawApp: string | null,
    operation: string,
    status: string,
    rawErrorType: string,
  ): Group {
    const provider = this.#provider.value(rawProvider)
    const model = this.#model.value(rawModel)
    const app = this.#app.value(rawApp)
    const errorType = status === 'error' ? this.#errorType.value(rawErrorType) : ''
    const gen = { gen_ai_operation_name: operation, gen_ai_provider_name: provider, gen_ai_request_model: model }
    return {
      labels: { provider, model, app, operation, status, errorType },
      n: 0,
      duration: this.#duration.series({ ...gen, error_type: errorType }),
      ttft: this.#ttft.series({ provider, model }),
      tokenIn: this.#tokenUsage.series({ ...gen, gen_ai_token_type: 'input' }),
      tokenOut: this.#tokenUsage.series({ ...gen, gen_ai_token_type: 'output' }),
      tokens: new Array(TOKEN_FIELDS.length).fill(0),
      tokenSeen: new Array(TOKEN_FIELDS.length).fill(false),
      cost: 0,
    }
  }

  #flushGroup(g: Group, add: (c: Counter<string>, labels: Record<string, string>, n?: number) => void): void {
    const { provider, model, app, operation, status, errorType } = g.labels
    add(this.#requests, { provider, model, operation, status, app }, g.n)
    if (status === 'error') add(this.#errors, { provider, model, error_type: errorType }, g.n)
    for (let i = 0; i < TOKEN_FIELDS.length; i++) {
      if (g.tokenSeen[i]) add(this.#tokens, { provider, model, type: TOKEN_FIELDS[i]![1] }, g.tokens[i]!)
    }
    if (g.cost > 0) add(this.#cost, { provider, model, app }, g.cost)
  }

  #observeSignals(
    r: LedgerRecord,
    model: string,
    add: (c: Counter<string>, labels: Record<string, string>, n?: number) => void,
  ): void {
    for (const type in r.redactions) {
      const n = r.redactions[type]!
      if (n > 0) add(this.#redactions, { entity_type: this.#entity.value(type) }, n)
    }
    const signals = r.signals
    if (!signals) return
    for (const [type, n] of Object.entries(signals.pii_in_response ?? {}))
      if (n > 0) add(this.#piiInResponse, { entity_type: this.#entity.value(type) }, n)
    if (signals.uncertainty) add(this.#uncertain, { model })
    for (const rule of signals.injection_rules ?? []) add(this.#injection, { rule: this.#rule.value(rule) })
  }
}

/** One batch's records that share every label value. */
interface Group {
  labels: { provider: string; model: string; app: string; operation: string; status: string; errorType: string }
  n: number
  duration: ReturnType<BucketHistogram['series']>
  ttft: ReturnType<BucketHistogram['series']>
  tokenIn: ReturnType<BucketHistogram['series']>
  tokenOut: ReturnType<BucketHistogram['series']>
  /** Sums per TOKEN_FIELDS entry, and whether any record reported it. */
  tokens: number[]
  tokenSeen: boolean[]
  cost: number
}
