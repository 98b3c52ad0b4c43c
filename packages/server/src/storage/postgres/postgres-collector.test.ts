import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../config.js'
import { startServer } from '../../start-server.js'
import { dropSchemas, freshSchema, POSTGRES_TEST_URL, requirePostgres } from '../../test-support/postgres.js'
import { twoCollectorsOnOneStore } from '../../test-support/shared-store-collectors.js'

const reachable = await requirePostgres('PostgreSQL collector tests')

describe.runIf(reachable)('two collectors on one PostgreSQL store', () => {
  afterAll(() => dropSchemas())
  twoCollectorsOnOneStore(POSTGRES_TEST_URL, freshSchema)
})

describe.runIf(reachable)('a collector configured for PostgreSQL', () => {
  it('refuses to start against an unreachable server, naming it without the password', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-pg-'))
    try {
      const config = loadConfig({
        flags: { port: 0, data: dir, storage: 'postgres://app:topsecretpw@127.0.0.1:1/x' },
        env: {},
      })
      const failed = await startServer(config).catch((err: Error) => err)
      expect((failed as Error).message).toMatch(
        /cannot open the PostgreSQL store at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1/,
      )
      expect((failed as Error).message).not.toContain('topsecretpw')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('rejects a storage setting that is neither sqlite nor a postgres URL, naming the key', () => {
    expect(() => loadConfig({ flags: { storage: 'mysql://x' }, env: {} })).toThrow(/invalid config at storage/)
  })
})
