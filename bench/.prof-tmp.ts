import { readFileSync } from 'node:fs'
import { createRedactor, defaultRecognizers } from '/work/main/packages/sdk/src/redact/index.js'
const texts = ['dev.jsonl','presidio-synth.jsonl'].flatMap(f=>readFileSync('/work/shared/pii/'+f,'utf8').split('\n').filter(Boolean).map(l=>JSON.parse(l).text as string))
const bytes = texts.reduce((n,t)=>n+t.length,0)
function time(fn:(t:string)=>unknown, ms=700){ for(const t of texts) fn(t); let p=0; const t0=performance.now(); let e=0; do { for(const t of texts) fn(t); p++; e=performance.now()-t0 } while(e<ms); return e/p }
const r = createRedactor()
const base = (await import('@redactpii/node')) as any
const b = new base.Redactor()
const tb = time(t=>b.redact(t)); const to = time(t=>r.redact(t))
console.log('baseline ms/pass', tb.toFixed(2), 'ours', to.toFixed(2), 'ratio', (tb/to).toFixed(3))
for (const rec of defaultRecognizers()) console.log(rec.name.padEnd(16), time(t=>rec.find(t),300).toFixed(2))
