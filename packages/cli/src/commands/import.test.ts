import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLedger } from '@promptledger/sdk'
import { createApp, openSqliteStorage, type SqliteStorage } from '@promptledger/server'
import { Command } from 'commander'
import type { FastifyInstance } from 'fastify'
import { afterEach, expect, it, vi } from 'vitest'
import { register } from './import.js'

let app: FastifyInstance | undefined
let storage: SqliteStorage | undefined
const dirs: string[] = []
afterEach(async () => {
  await app?.close()
  await storage?.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  vi.restoreAllMocks()
})

it('imports a file ledger into a collector, and a second import stores nothing twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-'))
  dirs.push(dir)
  const ledger = createLedger({ dir: join(dir, 'ledger') })
  for (let i = 0; i < 12; i++) ledger.log({ prompt: `import me ${i}`, response: 'ok' })
  await ledger.close()
  storage = openSqliteStorage({ path: join(dir, 'collector', 'ledger.db') })
  app = await createApp({ storage, stream: 'collector-import' })
  const server = await app.listen({ port: 0, host: '127.0.0.1' })
  const out: string[] = []
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk))
    return true
  })
  const run = async () => {
    const program = new Command().exitOverride()
    register(program)
    await program.parseAsync([
      'node',
      'promptledger',
      'import',
      join(dir, 'ledger'),
      '--server',
      server,
      '--batch',
      '5',
    ])
  }
  await run()
  await run()
  vi.restoreAllMocks()
  expect(out.join('')).toContain('imported 12 records (0 already there)')
  expect(out.join('')).toContain('imported 0 records (12 already there)')
  // The ledger encrypts by default, under keys the collector does not hold: the import says so.
  expect(out.join('')).toContain(`12 of them are encrypted under ${join(dir, 'ledger')}'s data keys`)
  expect((await storage.stats({}, null))[0]?.count).toBe(12)
})
