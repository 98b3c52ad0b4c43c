#!/usr/bin/env node
import { main } from '../dist/main.js'

main(process.argv).catch((err) => {
  process.stderr.write(`promptledger: ${err?.message ?? err}\n`)
  process.exitCode = err?.exitCode ?? 1
})
