// Child process of crash.test.ts: logs in a loop and prints each id once flush() has acknowledged it.
// Imports the built package (npm test builds first) so that start-up stays fast.
import { createLedger } from '../../../../dist/ledger.js'

const [dir, mode] = process.argv.slice(2)
const ledger = createLedger({ dir, stream: 'crash', redact: false, maxFileBytes: 16 * 1024, checkpointEvery: 7 })

if (mode === 'crash') {
  let i = 0
  for (;;) {
    const ids = []
    const n = 1 + (i % 9)
    for (let j = 0; j < n; j++) ids.push(ledger.log({ prompt: `p${i++} ${'x'.repeat(300)}`, userId: 'u' }))
    await ledger.flush()
    process.stdout.write(`${ids.join('\n')}\n`)
  }
} else if (mode === 'signal') {
  // Logged but not flushed: only the SIGTERM handler can write these.
  const ids = []
  for (let i = 0; i < 10; i++) ids.push(ledger.log({ prompt: `s${i}` }))
  setInterval(() => {}, 1000)
  process.stdout.write(`${ids.join('\n')}\nready\n`)
} else if (mode === 'exit') {
  // Logged, never flushed or closed: the beforeExit hook writes them as the process ends on its own.
  const ids = []
  for (let i = 0; i < 3; i++) ids.push(ledger.log({ prompt: `e${i}` }))
  process.stdout.write(`${ids.join('\n')}\n`)
}
