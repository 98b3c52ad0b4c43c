import { readFileSync } from 'node:fs'
import { createRedactor, defaultRecognizers } from '../packages/sdk/src/redact/index.js'
const texts = ['dev.jsonl','presidio-synth.jsonl'].flatMap(f=>readFileSync('/work/shared/pii/'+f,'utf8').split('\n').filter(Boolean).map(l=>JSON.parse(l).text as string))
function time(fn:(t:string)=>unknown, ms=200){ let p=0; const t0=performance.now(); let e=0; do { for(const t of texts) fn(t); p++; e=performance.now()-t0 } while(e<ms); return e/p }
const r = createRedactor()
const base = (await import('@redactpii/node')) as any; const b = new base.Redactor()
const recs = defaultRecognizers()
const fns: Record<string,(t:string)=>unknown> = { baseline: t=>b.redact(t), ours: t=>r.redact(t) }
if (process.argv[2]) for (const x of recs) fns[x.name] = t=>x.find(t)
for (const f of Object.values(fns)) for (const t of texts) f(t)
const best: Record<string,number> = {}
for (let i=0;i<6;i++) for (const [k,f] of Object.entries(fns)) best[k]=Math.min(best[k]??1e9, time(f))
for (const [k,v] of Object.entries(best)) console.log(k.padEnd(16), v.toFixed(2))
console.log('ratio', (best.baseline/best.ours).toFixed(3))
