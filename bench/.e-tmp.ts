import { readFileSync } from 'node:fs'
import { createRedactor, defaultRecognizers, resolve } from '../packages/sdk/src/redact/index.js'
const texts = ['dev.jsonl','presidio-synth.jsonl'].flatMap(f=>readFileSync('/work/shared/pii/'+f,'utf8').split('\n').filter(Boolean).map(l=>JSON.parse(l).text as string))
function time(fn:(t:string)=>unknown, ms=200){ let p=0; const t0=performance.now(); let e=0; do { for(const t of texts) fn(t); p++; e=performance.now()-t0 } while(e<ms); return e/p }
const r = createRedactor(); const recs = defaultRecognizers()
const base = (await import('@redactpii/node')) as any; const b = new base.Redactor()
const loop = (t:string) => { const f:any[]=[]; for (const x of recs) for (const g of x.find(t)) if (g.score>=0.5) f.push(g); return f }
const loopRes = (t:string) => resolve(loop(t))
const fns: Record<string,(t:string)=>unknown> = { baseline: t=>b.redact(t), ours: t=>r.redact(t), loop, loopRes }
for (const f of Object.values(fns)) for (const t of texts) f(t)
const best: Record<string,number> = {}
for (let i=0;i<5;i++) for (const [k,f] of Object.entries(fns)) best[k]=Math.min(best[k]??1e9, time(f))
for (const [k,v] of Object.entries(best)) console.log(k.padEnd(16), v.toFixed(2))
