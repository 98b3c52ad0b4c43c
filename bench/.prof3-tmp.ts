import fc from 'fast-check'
import { defaultRecognizers } from '../packages/sdk/src/redact/index.js'
import { createRedactor } from '../packages/sdk/src/redact/engine.js'
import { resolve } from '../packages/sdk/src/redact/resolver.js'
const piece = fc.constantFrom('ana.lopez@example.com','4111 1111 1111 1111','123-45-6780','GB82 WEST 1234 5698 7654 32','203.0.113.9','(415) 555-0132','+44 7700 900123','sk-proj-A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6','Dear Maria Lopez,','my name is Oluwaseun','221 Baker Street','order #56413599','v1.2.3','2025-03-10','hello','the','and','\n',', ','<EMAIL_ADDRESS>','<PERSON>')
const text = fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(' '))
const samples = fc.sample(text, {numRuns: 3000, seed: 1})
const r = createRedactor(); const recs = defaultRecognizers()
const by: Record<string,number> = {}; let n=0
for (const t of samples) {
  const res = r.redact(t)
  const fs:any[] = []; for (const rec of recs) for (const f of rec.find(t)) if (f.score>=0.5) fs.push(f)
  const TOK=/<[A-Z][A-Z0-9_]*>/g; const spans:number[]=[]; for (const m of t.matchAll(TOK)) spans.push(m.index!, m.index!+m[0].length)
  const one = resolve(fs.filter(f=>{for(let i=0;i<spans.length;i+=2) if(f.start<spans[i+1]&&spans[i]<f.end) return false; return true}))
  const d = res.findings.filter((f:any)=>!one.some((g:any)=>g.start===f.start&&g.end===f.end&&g.type===f.type))
  if (d.length) { n++; for (const f of d) by[f.recognizer+'/'+f.type]=(by[f.recognizer+'/'+f.type]??0)+1; if (n<12) console.log(JSON.stringify(t), d.map((f:any)=>f.type+':'+JSON.stringify(t.slice(f.start-10,f.start)+'['+t.slice(f.start,f.end)+']'))) }
}
console.log(n, 'of', samples.length, by)
