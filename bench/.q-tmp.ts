import { readFileSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { createRedactor } from '../packages/sdk/src/redact/index.js'
const r = createRedactor()
for (const f of ['dev.jsonl','presidio-synth.jsonl']) {
  const lines = readFileSync('/work/shared/pii/'+f,'utf8').split('\n').filter(Boolean).map(l=>JSON.parse(l))
  writeFileSync('/tmp/perf/'+f, lines.map((l:any)=>JSON.stringify({id:l.id, redacted:r.redact(l.text).text})).join('\n')+'\n')
  const o = spawnSync('python3',['/work/shared/pii/score-redaction.py','/work/shared/pii/'+f,'/tmp/perf/'+f],{encoding:'utf8'})
  console.log(f); console.log(o.stdout.split('\n').filter(l=>/PERSON|STREET|overall/i.test(l)).join('\n'))
}
