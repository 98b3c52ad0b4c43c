import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { readRecords } from '../exporters/file-ledger/read-ledger.js'

// The children run the built package: `npm test` builds before running the suite.
const DIST = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'index.js')).href
const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true })
})

function child(dir: string, ending: string) {
  const script = `
    import { createLedger } from ${JSON.stringify(DIST)}
    const ledger = createLedger({ dir: ${JSON.stringify(dir)}, stream: 's' })
    for (let i = 0; i < 50; i++) ledger.log({ prompt: 'question ' + i, response: 'answer' })
    ${ending}`
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
}

async function count(dir: string): Promise<number> {
  let n = 0
  for await (const _ of readRecords(dir)) n++
  return n
}

describe('exit hooks', () => {
  it('write everything when the event loop empties, silently', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-exit-'))
    dirs.push(dir)
    const run = child(dir, '')
    expect(run.status).toBe(0)
    expect(run.stderr).toBe('')
    expect(await count(dir)).toBe(50)
  })

  it('say on stderr that queued calls are lost when process.exit() comes first', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-exit-'))
    dirs.push(dir)
    const run = child(dir, 'process.exit(0)')
    expect(run.status).toBe(0)
    expect(run.stderr).toContain('logged calls not yet written (lost)')
    expect(run.stderr).toContain('await ledger.flush()')
  })
})
