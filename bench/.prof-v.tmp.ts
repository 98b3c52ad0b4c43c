import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path'
import { createLedger, verifyLedger } from '../packages/sdk/src/index.js'
import { benchInput } from './ledger-bench-input.js'
const dir = '/tmp/pl-verify-fixture'
if (!fs.existsSync(dir)) {
  const ledger = createLedger({ dir, stream: 'bench', handleExit: false, redact: false, signals: false, queue: { maxRecords: 5000, maxBytes: 2 ** 31 - 1, policy: 'block' } })
  for (let i = 0; i < 50000; i++) await ledger.log(benchInput(i))
  await ledger.close()
}
for (let r = 0; r < 3; r++) {
  const t = performance.now(); const c = process.cpuUsage()
  const res = await verifyLedger(dir)
  const u = process.cpuUsage(c)
  console.log(res.ok, Math.round(50000 / (performance.now() - t) * 1000), 'rec/s wall', Math.round(50000 / ((u.user + u.system) / 1e6)), 'rec/cpu-s')
}
