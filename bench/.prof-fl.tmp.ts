import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path'
import { createLedger } from '../packages/sdk/src/index.js'
import { benchInput } from './ledger-bench-input.js'
const signals = process.argv.includes('--signals')
const N = 20000
for (let round = 0; round < 3; round++) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-prof-'))
  const ledger = createLedger({ dir, stream: 'b', handleExit: false, redact: false, ...(signals ? {} : { signals: false as const }), queue: { maxRecords: N * 2, maxBytes: 2 ** 31 - 1, policy: 'drop' } })
  const t = performance.now()
  for (let i = 0; i < N; i++) ledger.log(benchInput(i))
  await ledger.flush()
  console.log(signals ? 'signals' : 'bare', Math.round(N / (performance.now() - t) * 1000))
  await ledger.close(); fs.rmSync(dir, { recursive: true, force: true })
}
