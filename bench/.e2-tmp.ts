import { readFileSync } from 'node:fs'
import { defaultRecognizers } from '../packages/sdk/src/redact/index.js'
const texts = ['dev.jsonl','presidio-synth.jsonl'].flatMap(f=>readFileSync('/work/shared/pii/'+f,'utf8').split('\n').filter(Boolean).map(l=>JSON.parse(l).text as string))
function time(fn:(t:string)=>unknown, ms=150){ let p=0; const t0=performance.now(); let e=0; do { for(const t of texts) fn(t); p++; e=performance.now()-t0 } while(e<ms); return e/p }
const recs = defaultRecognizers()
const fns: Record<string,(t:string)=>unknown> = {}
fns.all = t => { for (const x of recs) x.find(t) }
for (const x of recs) fns[x.name] = t=>x.find(t)
for (const x of recs) { const rest = recs.filter(y=>y!==x); fns['all-'+x.name] = t => { for (const y of rest) y.find(t) } }
for (const f of Object.values(fns)) for (const t of texts) f(t)
const best: Record<string,number> = {}
for (let i=0;i<4;i++) for (const [k,f] of Object.entries(fns)) best[k]=Math.min(best[k]??1e9, time(f))
for (const [k,v] of Object.entries(best)) console.log(k.padEnd(22), v.toFixed(2))
