import { toRecord } from '../packages/sdk/src/record/from-input.js'
import { Chain, genesis } from '../packages/sdk/src/seal/chain.js'
import { benchInput } from './ledger-bench-input.js'
const N = 20000
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
const m = (label: string, f: () => void) => { const t = cpu(); f(); console.log(label, ((cpu() - t) * 1000 / N).toFixed(2)) }
const recs = Array.from({ length: N }, (_, i) => toRecord(benchInput(i), { id: '01936b2e-8f3a-7c21-9b1e-4f2d8a6c0e11', loggedAt: Date.now(), hmacKey: null, redacted: false }))
const chain = new Chain(genesis('s'))
let lines: string[] = []
m('seal', () => { lines = recs.map((r) => chain.sealEncoded(r).line) })
for (let k = 0; k < 2; k++) {
m('join', () => { for (let i = 0; i < N; i += 512) lines.slice(i, i + 512).join('\n') })
m('join again', () => { for (let i = 0; i < N; i += 512) lines.slice(i, i + 512).join('\n') })
m('buffers', () => { for (let i = 0; i < N; i += 512) Buffer.concat(lines.slice(i, i + 512).map((l) => Buffer.from(l + '\n'))) })
m('byteLength', () => { for (const l of lines) Buffer.byteLength(l) })
const big = lines.slice(0, 512).join('\n')
m('write into buf', () => { const b = Buffer.allocUnsafe(1 << 20); for (let i = 0; i < N; i += 512) { let o = 0; for (let j = i; j < i + 512 && j < N; j++) { o += b.utf8Write(lines[j]!, o); b[o++] = 10 } } })
m('latin1 into buf', () => { const b = Buffer.allocUnsafe(1 << 20); for (let i = 0; i < N; i += 512) { let o = 0; for (let j = i; j < i + 512 && j < N; j++) { o += b.latin1Write(lines[j]!, o); b[o++] = 10 } } })
}
