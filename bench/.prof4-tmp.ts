import { readFileSync } from 'node:fs'
import { createRedactor } from '../packages/sdk/src/redact/index.js'
const texts = ['dev.jsonl','presidio-synth.jsonl'].flatMap(f=>readFileSync('/work/shared/pii/'+f,'utf8').split('\n').filter(Boolean).map(l=>JSON.parse(l).text as string))
const r = createRedactor()
for (const t of texts) r.redact(t)
const t0=performance.now(); let p=0
while (performance.now()-t0 < 5000) { for (const t of texts) r.redact(t); p++ }
console.log('ms/pass', ((performance.now()-t0)/p).toFixed(1))
