import { readFileSync } from 'node:fs'
import { createRedactor, defaultRecognizers } from '../packages/sdk/src/redact/index.js'
const texts = ['dev.jsonl','presidio-synth.jsonl'].flatMap(f=>readFileSync('/work/shared/pii/'+f,'utf8').split('\n').filter(Boolean).map(l=>JSON.parse(l).text as string))
const r = createRedactor(); const recs = defaultRecognizers()
const outs = texts.map(t=>r.redact(t).text)
function time(name:string, arr:string[], fn:(t:string)=>unknown, ms=500){ for(const t of arr) fn(t); let p=0; const t0=performance.now(); let e=0; do { for(const t of arr) fn(t); p++; e=performance.now()-t0 } while(e<ms); console.log(name.padEnd(20),(e/p).toFixed(2)) }
const base = (await import('@redactpii/node')) as any; const b = new base.Redactor()
time('baseline', texts, t=>b.redact(t))
time('redact', texts, t=>r.redact(t))
time('recs on input', texts, t=>{for (const x of recs) x.find(t)})
time('recs on output', outs, t=>{for (const x of recs) x.find(t)})
for (const x of recs) time(' out '+x.name, outs, t=>x.find(t), 200)
