// Child process of key-files.processes.test.ts: creates data keys in batches and commits each batch, as a ledger
// does, printing `subject keyId keyHex` for every key once its commit has resolved (durable). Between batches it
// also takes keys of subjects shared by every child, made by whichever child came first.
// Imports the built package (npm test builds first) so that start-up stays fast.
import { DataKeyStore } from '../../../dist/crypto/data-key-store.js'
import { EnvKeyProvider } from '../../../dist/crypto/env-key-provider.js'

const [dir, masterKeyBase64, prefix, batches] = process.argv.slice(2)
const keys = DataKeyStore.open({ dir, provider: new EnvKeyProvider({ masterKeyBase64 }), persist: 'batch' })
let out = ''
for (let b = 0; b < Number(batches); b++) {
  const made = []
  for (let j = 0; j <= b % 4; j++) made.push(`user:${prefix}-${b}-${j}`)
  if (b % 3 === 0) made.push(`user:shared-${b % 10}`)
  const got = made.map((subject) => [subject, keys.getOrCreate(subject)])
  await keys.commitAsync()
  for (const [subject, k] of got) out += `${subject} ${k.keyId} ${k.key.export().toString('hex')}\n`
  if (out.length > 4096) {
    process.stdout.write(out)
    out = ''
  }
}
process.stdout.write(out)
