import type { LedgerRecord } from '@promptledger/sdk'
import { Counter, Histogram, type Registry } from 'prom-client'
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
  readonly #duration: Histogram<
    'gen_ai_operation_name' | 'gen_ai_provider_name' | 'gen_ai_request_model' | 'error_type'
  >
  readonly #tokenUsage: Histogram<
    'gen_ai_operation_name' | 'gen_ai_provider_name' | 'gen_ai_request_model' | 'gen_ai_token_type'
  >
  readonly #ttft: Histogram<'provider' | 'model'>
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
    this.#duration = new Histogram({
      name: 'gen_ai_client_operation_duration_seconds',
      help: 'GenAI operation duration (OpenTelemetry gen_ai.client.operation.duration)',
      labelNames: ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'error_type'],
      buckets: DURATION_BUCKETS,
      registers,
    })
    this.#tokenUsage = new Histogram({
      name: 'gen_ai_client_token_usage',
      help: 'Tokens used per call (OpenTelemetry gen_ai.client.token.usage)',
      labelNames: ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_token_type'],
      buckets: TOKEN_BUCKETS,
      registers,
    })
    this.#ttft = new Histogram({
      name: 'promptledger_llm_ttft_seconds',
      help: 'Time to first token of streamed calls',
      labelNames: ['provider', 'model'],
      buckets: TTFT_BUCKETS,
      registers,
    })
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
   * Updates every metric from one stored batch. It runs on the ingest path, so counter increments are
   * summed per label set in plain maps first and handed to prom-client once per set and batch (its
   * `inc` validates and hashes labels on every call: ~2 µs each, a dozen per record otherwise).
   * Histograms need each value, so they get 4 observations per record.
   */
  observe(batch: readonly LedgerRecord[]): void {
    const sums = new Map<string, { counter: Counter<string>; labels: Record<string, string>; n: number }>()
    const add = (counter: Counter<string>, labels: Record<string, string>, n = 1) => {
      let key = (counter as unknown as { name: string }).name
      for (const v of Object.values(labels)) key += `\u0000${v}`
      const entry = sums.get(key)
      if (entry) entry.n += n
      else sums.set(key, { counter, labels, n })
    }
    for (const r of batch) this.#observeOne(r, add)
    for (const { counter, labels, n } of sums.values()) counter.inc(labels, n)
  }

  #observeOne(r: LedgerRecord, add: (c: Counter<string>, labels: Record<string, string>, n?: number) => void): void {
    const provider = this.#provider.value(r.provider)
    const model = this.#model.value(r.request.model ?? r.response?.model)
    const app = this.#app.value(r.app)
    const errorType = r.status === 'error' ? this.#errorType.value(r.error?.type ?? 'error') : ''
    add(this.#requests, { provider, model, operation: r.operation, status: r.status, app })
    if (r.status === 'error') add(this.#errors, { provider, model, error_type: errorType })
    const gen = { gen_ai_operation_name: r.operation, gen_ai_provider_name: provider, gen_ai_request_model: model }
    if (r.latency_ms !== null) this.#duration.observe({ ...gen, error_type: errorType }, r.latency_ms / 1000)
    if (r.ttft_ms !== null) this.#ttft.observe({ provider, model }, r.ttft_ms / 1000)
    if (r.usage) {
      for (const [field, type] of TOKEN_FIELDS) {
        const n = r.usage[field]
        if (n === null || n === undefined) continue
        add(this.#tokens, { provider, model, type }, n)
        if (type === 'input' || type === 'output') this.#tokenUsage.observe({ ...gen, gen_ai_token_type: type }, n)
      }
    }
    if (r.cost_usd !== null && r.cost_usd > 0) add(this.#cost, { provider, model, app }, r.cost_usd)
    for (const [type, n] of Object.entries(r.redactions))
      if (n > 0) add(this.#redactions, { entity_type: this.#entity.value(type) }, n)
    const signals = r.signals
    if (!signals) return
    for (const [type, n] of Object.entries(signals.pii_in_response ?? {}))
      if (n > 0) add(this.#piiInResponse, { entity_type: this.#entity.value(type) }, n)
    if (signals.uncertainty) add(this.#uncertain, { model })
    for (const rule of signals.injection_rules ?? []) add(this.#injection, { rule: this.#rule.value(rule) })
  }
}
