import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ChainVerifier } from '@promptledger/sdk'
import { loadConfig, openSharedStore, startServer } from '@promptledger/server'
import { afterAll, describe, expect, it } from 'vitest'
import {
  dropSchemas,
  freshSchema,
  POSTGRES_TEST_URL,
  requirePostgres,
} from '../../../server/src/test-support/postgres.js'
import { unsealed } from '../../../server/src/test-support/records.js'

// Runs the built bin (`npm run build` first), as a user would.
const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/promptledger.js')
const reachable = await requirePostgres('copy-store tests')

describe.runIf(reachable)('promptledger copy-store', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pl-copy-'))
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true })
    await dropSchemas()
  })

  it("moves a collector's SQLite store into PostgreSQL: chains verify, encrypted content stays searchable, a rerun copies nothing", async () => {
    // A collector on SQLite with its defaults (server redaction, per-user encryption), records from two users.
    const server = await startServer(loadConfig({ flags: { port: 0, data: dir }, env: {} }))
    const records = Array.from({ length: 25 }, (_, i) =>
      unsealed({
        user_id: `u${i % 2}`,
        request: { model: 'm', messages: [{ role: 'user', content: `flamingo number ${i}` }] },
      }),
    )
    const posted = await fetch(`${server.url}/v1/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(records),
    })
    expect(posted.status).toBe(200)
    await server.close()

    const schema = freshSchema()
    const copy = (...extra: string[]) =>
      spawnSync(
        process.execPath,
        [bin, 'copy-store', '--data', dir, '--to', POSTGRES_TEST_URL, '--schema', schema, '--batch', '10', ...extra],
        { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' }, timeout: 60_000 },
      )
    const first = copy()
    expect(first.stderr).toBe('')
    expect(first.status).toBe(0)
    expect(first.stdout).toMatch(
      /^copied 25 records \(0 already there\) in 1 stream\(s\) to postgres:.*every stream head matches$/m,
    )
    const again = copy()
    expect(again.stdout).toMatch(/^copied 0 records \(25 already there\)/m)

    const { storage } = await openSharedStore(POSTGRES_TEST_URL, schema)
    try {
      const [stream] = await storage.streams()
      const verifier = new ChainVerifier(stream!)
      for await (const record of storage.scanStream(stream!)) verifier.check(record)
      expect(verifier.result()).toMatchObject({ ok: true, count: 25 })
      // Encrypted at rest, copied as ciphertext; the search index was built from the plaintext the data dir opens.
      const found = await storage.query({ q: 'flamingo' }, { limit: 100 })
      expect(found.records).toHaveLength(25)
      expect(found.records.every((r) => r.enc !== undefined && r.enc !== null)).toBe(true)
    } finally {
      await storage.close()
    }
  })

  it('names a destination it cannot take', () => {
    const run = spawnSync(process.execPath, [bin, 'copy-store', '--to', 'mysql://x/y'], { encoding: 'utf8' })
    expect(run.status).not.toBe(0)
    expect(run.stderr).toContain('--to must be a postgres:// or clickhouse+http(s):// URL')
  })
})
