import { toRecord } from '../packages/sdk/src/record/from-input.js'
import { Chain, genesis } from '../packages/sdk/src/seal/chain.js'
import { benchInput } from './ledger-bench-input.js'
import { randomBytes } from 'node:crypto'
const key = randomBytes(32)
const N = 20000
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
for (let round = 0; round < 3; round++) {
  const inputs = Array.from({ length: N }, (_, i) => benchInput(i))
  let t = cpu()
  const recs = inputs.map((inp, i) => toRecord(inp, { id: '01936b2e-8f3a-7c21-9b1e-4f2d8a6c0e11', loggedAt: Date.now(), hmacKey: key, redacted: false }))
  const tRec = cpu() - t; t = cpu()
  const chain = new Chain(genesis('s'))
  const lines = recs.map((r) => chain.sealEncoded(r).line)
  const tSeal = cpu() - t; t = cpu()
  let total = 0
  for (let i = 0; i < N; i += 512) total += lines.slice(i, i + 512).join('\n').length
  const tJoin = cpu() - t; t = cpu()
  for (let i = 0; i < N; i++) JSON.stringify(inputs[i])
  const tStr = cpu() - t
  console.log(`per record µs: toRecord ${(tRec * 1000 / N).toFixed(2)} seal ${(tSeal * 1000 / N).toFixed(2)} join ${(tJoin * 1000 / N).toFixed(2)} stringify(input) ${(tStr * 1000 / N).toFixed(2)}`)
}
