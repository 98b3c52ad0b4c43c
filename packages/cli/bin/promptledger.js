#!/usr/bin/env node
import { main } from '../dist/main.js'

main(process.argv).catch((err) => {
  // The reader of stdout went away (`… | head`): nothing to report.
  if (err?.code === 'EPIPE') return
  if (!err?.printed) process.stderr.write(`promptledger: ${err?.message ?? err}\n`)
  process.exitCode = err?.exitCode ?? 1
})
