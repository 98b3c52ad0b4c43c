import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { sealAll, unsealed } from '../test-support/records.js'
import { postRecords, type TestApp, testApp } from '../test-support/test-app.js'
import { LabelCap } from './label-cap.js'
import { LlmMetrics } from './llm-metrics.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

describe('record metrics', () => {
  it('are updated at ingest and served in Prometheus form with OpenTelemetry GenAI names', async () => {
    t = await testApp()
    await postRecords(t.app, [
      unsealed({ latency_ms: 1200, ttft_ms: 300, usage: { input_tokens: 100, output_tokens: 40 }, cost_usd: 0.5 }),
      unsealed({
        status: 'error',
        error: { type: 'rate_limit', message: 'slow down', http_status: 429 },
        redactions: { EMAIL_ADDRESS: 2 },
        signals: { pii_in_response: { PHONE_NUMBER: 1 }, uncertainty: true, injection_rules: ['role_token'] },
      }),
    ])
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body
    const has = (line: string) => expect(text).toContain(line)
    has('promptledger_llm_requests_total{provider="openai",model="gpt-4o",operation="chat",status="ok",app="web"} 1')
    has('promptledger_llm_errors_total{provider="openai",model="gpt-4o",error_type="rate_limit"} 1')
    has(
      'gen_ai_client_token_usage_bucket{le="256",gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o",gen_ai_token_type="input"} 2',
    )
    has(
      'gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o",error_type=""} 1',
    )
    has('promptledger_llm_ttft_seconds_sum{provider="openai",model="gpt-4o"} 0.32')
    has('promptledger_llm_tokens_total{provider="openai",model="gpt-4o",type="output"} 45')
    has('promptledger_llm_cost_usd_total{provider="openai",model="gpt-4o",app="web"} 0.501')
    has('promptledger_redactions_total{entity_type="EMAIL_ADDRESS"} 2')
    has('promptledger_pii_in_response_total{entity_type="PHONE_NUMBER"} 1')
    has('promptledger_uncertain_responses_total{model="gpt-4o"} 1')
    has('promptledger_injection_signals_total{rule="role_token"} 1')
    has('# TYPE promptledger_queue_dropped_total counter')
  })

  it('caps label values so clients cannot create unbounded series', () => {
    const cap = new LabelCap(2)
    expect([cap.value('a'), cap.value('b'), cap.value('c'), cap.value('a'), cap.value(null)]).toEqual([
      'a',
      'b',
      'other',
      'a',
      'none',
    ])
    const registry = new Registry()
    const metrics = new LlmMetrics(registry)
    metrics.observe(sealAll(Array.from({ length: 300 }, (_, i) => unsealed({ request: { model: `m-${i}` } }))))
    return registry.getSingleMetricAsString('promptledger_llm_requests_total').then((text) => {
      expect(text).toContain('model="other"')
      expect(text.split('\n').filter((l) => l.startsWith('promptledger_llm_requests_total')).length).toBe(201)
    })
  })
})
