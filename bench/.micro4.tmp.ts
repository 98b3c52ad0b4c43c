import { toRecord } from '../packages/sdk/src/record/from-input.js'
import { benchInput } from './ledger-bench-input.js'
import { hash } from 'node:crypto'
const N = 20000
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
const m = (label: string, f: () => void) => { const t = cpu(); f(); console.log(label, ((cpu() - t) * 1000 / N).toFixed(2)) }
const recs = Array.from({ length: N }, (_, i) => toRecord(benchInput(i), { id: '01936b2e-8f3a-7c21-9b1e-4f2d8a6c0e11', loggedAt: Date.now(), hmacKey: null, redacted: false }))
for (const r of recs) { (r as any).metadata = Object.fromEntries(Object.entries(r.metadata).sort()) }
for (let k = 0; k < 2; k++) {
let bodies: string[] = []
m('stringify', () => { bodies = recs.map((r) => JSON.stringify(r)) })
let bufs: Buffer[] = []
m('Buffer.from(body) fresh', () => { bufs = bodies.map((b) => Buffer.from(b)) })
m('indexOf on flat', () => { for (const b of bodies) b.indexOf(',"id":"01936b2e') })
m('hash str', () => { for (const b of bodies) hash('sha256', b) })
m('hash buf', () => { for (const b of bufs) hash('sha256', b) })
m('stringify+indexOf', () => { for (const r of recs) JSON.stringify(r).indexOf(',"id":"01936b2e') })
m('stringify+hash str', () => { for (const r of recs) hash('sha256', JSON.stringify(r)) })
m('stringify+Buffer.from+hash', () => { for (const r of recs) hash('sha256', Buffer.from(JSON.stringify(r))) })
m('stringify+write+hash', () => { const sb = Buffer.allocUnsafe(1<<16); for (const r of recs) { const n = sb.write(JSON.stringify(r), 0); hash('sha256', sb.subarray(0, n)) } })
}
