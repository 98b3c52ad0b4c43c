import { readFileSync } from 'node:fs'
import { createRedactor as after } from '/work/main/packages/sdk/src/redact/index.js'
import { createRedactor as before } from '/tmp/before/packages/sdk/src/redact/index.js'
const texts = ['dev.jsonl','presidio-synth.jsonl'].flatMap(f=>readFileSync('/work/shared/pii/'+f,'utf8').split('\n').filter(Boolean).map(l=>JSON.parse(l).text as string))
const bytes = texts.reduce((n,t)=>n+Buffer.byteLength(t),0)
const { Redactor } = (await import('@redactpii/node')) as any
const b = new Redactor(); const ra = after(); const rb = before()
const fns: Array<[string,(t:string)=>unknown]> = [['@redactpii/node', t=>b.redact(t)], ['before (HEAD)', t=>rb.redact(t).text], ['after', t=>ra.redact(t).text]]
for (const [,f] of fns) for (const t of texts) f(t)
const best = fns.map(()=>0)
for (let r=0;r<5;r++) fns.forEach(([,f],i)=>{ let p=0; const t0=performance.now(); let e=0; do { for (const t of texts) f(t); p++; e=performance.now()-t0 } while (e<400); best[i]=Math.max(best[i]!, bytes*p/1e6/(e/1000)) })
console.log('| engine | MB/s (best of 5 alternating rounds) | vs @redactpii/node |\n| --- | ---: | ---: |')
fns.forEach(([n],i)=>console.log(`| ${n} | ${best[i]!.toFixed(2)} | ${(best[i]!/best[0]!).toFixed(2)}× |`))
