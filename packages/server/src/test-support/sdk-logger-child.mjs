// An application process that logs records to a collector through the SDK's delivery stack
// (HTTP exporter + retry + disk spool). Args: <endpoint> <data-dir> <batches> <batch-size> <pace-ms>.
// Prints `batch <i>` after each export resolves, `spooled <n>` for the spool's high-water mark, then `done`.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Chain, genesis, HttpExporter, uuidv7, withRetry, withSpool } from '@promptledger/sdk'

const [endpoint, dir, batches, size, pace] = process.argv.slice(2)
const exporter = withSpool(withRetry(new HttpExporter({ endpoint }), { maxAttempts: 3, baseDelayMs: 20 }), {
  dir,
  retryDelayMs: 50,
  maxRetryDelayMs: 250,
})
const chain = new Chain(genesis('app-1'))
const ids = []
let spooled = 0
for (let b = 0; b < Number(batches); b++) {
  const batch = []
  for (let i = 0; i < Number(size); i++) {
    const id = uuidv7()
    ids.push(id)
    const ts = new Date().toISOString()
    batch.push(
      chain.seal({
        v: 1,
        id,
        ts,
        end_ts: ts,
        latency_ms: 10 + i,
        ttft_ms: null,
        provider: 'openai',
        operation: 'chat',
        request: { model: 'gpt-4o', messages: [{ role: 'user', content: `batch ${b} item ${i}` }] },
        response: { output: 'fine' },
        usage: { input_tokens: 3, output_tokens: 1 },
        cost_usd: null,
        status: 'ok',
        error: null,
        user_id: 'u',
        session_id: null,
        trace_id: null,
        span_id: null,
        parent_span_id: null,
        app: 'child',
        environment: null,
        tags: [],
        metadata: {},
        prompt_hash: null,
        redacted: true,
        redactions: {},
      }),
    )
  }
  const result = await exporter.export(batch)
  if (!result.ok) {
    process.stderr.write(`export failed: ${result.error.message}\n`)
    process.exit(2)
  }
  spooled = Math.max(spooled, exporter.stats().pendingBatches)
  process.stdout.write(`batch ${b}\n`)
  await new Promise((r) => setTimeout(r, Number(pace)))
}
writeFileSync(join(dir, 'ids.json'), JSON.stringify(ids))
process.stdout.write(`spooled ${spooled}\n`)
await exporter.drained()
await exporter.shutdown()
process.stdout.write('done\n')
