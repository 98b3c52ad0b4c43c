import { toRecord } from '../packages/sdk/src/record/from-input.js'
import { benchInput } from './ledger-bench-input.js'
import { randomBytes, hash } from 'node:crypto'
const key = randomBytes(32)
const N = 20000
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
const m = (label: string, f: () => void) => { const t = cpu(); f(); console.log(label, ((cpu() - t) * 1000 / N).toFixed(2)) }
const inputs = Array.from({ length: N }, (_, i) => benchInput(i))
const recs = inputs.map((inp) => toRecord(inp, { id: '01936b2e-8f3a-7c21-9b1e-4f2d8a6c0e11', loggedAt: Date.now(), hmacKey: key, redacted: false }))
for (const r of recs) { (r as any).metadata = Object.fromEntries(Object.entries(r.metadata).sort()) }
let bodies: string[] = []
for (let k = 0; k < 2; k++) {
m('stringify rec', () => { bodies = recs.map((r) => JSON.stringify(r)) })
m('stringify input', () => { inputs.map((r) => JSON.stringify(r)) })
m('hash body', () => { for (const b of bodies) hash('sha256', b) })
m('hash body buf', () => { for (const b of bodies) hash('sha256', Buffer.from(b)) })
const np = recs.map((r) => { const o = Object.create(null); for (const k of Object.keys(r)) o[k] = (r as any)[k]; return o })
m('stringify nullproto', () => { np.map((r) => JSON.stringify(r)) })
}
console.log(bodies[0])
