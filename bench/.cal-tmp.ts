import { readFileSync } from 'node:fs'
const texts = ['dev.jsonl','presidio-synth.jsonl'].flatMap(f=>readFileSync('/work/shared/pii/'+f,'utf8').split('\n').filter(Boolean).map(l=>JSON.parse(l).text as string))
function time(name:string, fn:(t:string)=>unknown, ms=400){ for(const t of texts) fn(t); let p=0; const t0=performance.now(); let e=0; do { for(const t of texts) fn(t); p++; e=performance.now()-t0 } while(e<ms); console.log(name.padEnd(30),(e/p).toFixed(2)) }
const base = (await import('@redactpii/node')) as any; const b = new base.Redactor()
time('baseline', t=>b.redact(t))
const D=/\d/; time('digit test', t=>D.test(t))
const D7=/\d{7}/; time('d7 test', t=>D7.test(t))
time('indexOf@', t=>t.indexOf('@'))
const CAP=/[A-Z\u00C0-\u00DE][a-z\u00DF-\u00FF'-]*/g
time('cap exec loop', t=>{CAP.lastIndex=0; let n=0; for(let m=CAP.exec(t);m;m=CAP.exec(t)) n++; return n})
time('char loop', t=>{let n=0; for(let i=0;i<t.length;i++){const c=t.charCodeAt(i); if(c>=48&&c<=57)n++} return n})
const RUN=/\d[\d \-.()\/+]*/g
time('digit-run exec', t=>{RUN.lastIndex=0; let n=0; for(let m=RUN.exec(t);m;m=RUN.exec(t)) n++; return n})
let cnt=0; for (const t of texts){CAP.lastIndex=0; for(let m=CAP.exec(t);m;m=CAP.exec(t)) cnt++} console.log('caps per text', cnt/texts.length)
cnt=0; for (const t of texts){RUN.lastIndex=0; for(let m=RUN.exec(t);m;m=RUN.exec(t)) cnt++} console.log('runs per text', cnt/texts.length)
