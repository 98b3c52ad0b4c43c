import { readFileSync } from 'node:fs'
import { createRedactor, defaultRecognizers } from '../packages/sdk/src/redact/index.js'
const texts = ['dev.jsonl','presidio-synth.jsonl'].flatMap(f=>readFileSync('/work/shared/pii/'+f,'utf8').split('\n').filter(Boolean).map(l=>JSON.parse(l).text as string))
const r = createRedactor()
let extra = 0; const byType: Record<string,number> = {}
for (const t of texts) { const o = r.redact(t).text; const f2 = r.redact(o).findings; }
// count texts where the first analysis alone isn't stable: compare analyze(output) using recognizers directly
const recs = defaultRecognizers()
const plain = createRedactor({recognizers: recs})
let n=0
for (const t of texts) {
  const res = r.redact(t)
  // single-round output
  const findings:any[] = []
  for (const rec of recs) for (const f of rec.find(t)) if (f.score>=0.5) findings.push(f)
  // naive compare: final findings count vs resolved single pass
  const {resolve} = await import('../packages/sdk/src/redact/resolver.js')
  const one = resolve(findings)
  if (one.length !== res.findings.length) { n++; const d = res.findings.filter((f:any)=>!one.some((g:any)=>g.start===f.start&&g.end===f.end)); for (const f of d) byType[f.type]=(byType[f.type]??0)+1; if (n<8) console.log(JSON.stringify(t.slice(0,300)), d.map((f:any)=>f.type+':'+t.slice(f.start,f.end))) }
}
console.log('texts needing recheck', n, byType)
