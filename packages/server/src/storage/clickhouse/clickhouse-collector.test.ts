import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../config.js'
import { startServer } from '../../start-server.js'
import { CLICKHOUSE_TEST_URL, dropDatabases, freshDatabase, requireClickHouse } from '../../test-support/clickhouse.js'
import { twoCollectorsOnOneStore } from '../../test-support/shared-store-collectors.js'

const reachable = await requireClickHouse('ClickHouse collector tests')

describe.runIf(reachable)('two collectors on one ClickHouse store', () => {
  afterAll(() => dropDatabases())
  twoCollectorsOnOneStore(CLICKHOUSE_TEST_URL, freshDatabase)
})

describe.runIf(reachable)('a collector configured for ClickHouse', () => {
  it('refuses to start against an unreachable server, naming it without the password', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-ch-'))
    try {
      const config = loadConfig({
        flags: { port: 0, data: dir, storage: 'clickhouse+http://app:topsecretpw@127.0.0.1:1' },
        env: {},
      })
      const failed = await startServer(config).catch((err: Error) => err)
      expect((failed as Error).message).toMatch(
        /cannot open the ClickHouse store at clickhouse\+http:\/\/app:\*\*\*@127\.0\.0\.1:1/,
      )
      expect((failed as Error).message).not.toContain('topsecretpw')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('the storage setting for ClickHouse', () => {
  it('takes a clickhouse+http(s) URL and its database from storageSchema, and refuses other ClickHouse spellings', () => {
    const config = loadConfig({
      flags: { storage: 'clickhouse+https://app:pw@ch.internal:8443' },
      env: { PROMPTLEDGER_CONFIG: 'c.json' },
      readFile: () => JSON.stringify({ storageSchema: 'ledger' }),
    })
    expect(config).toMatchObject({ storage: 'clickhouse+https://app:pw@ch.internal:8443', storageSchema: 'ledger' })
    for (const storage of ['clickhouse://ch.internal:9000', 'http://ch.internal:8123', 'clickhouse+tcp://ch:9000']) {
      expect(() => loadConfig({ flags: { storage }, env: {} })).toThrow(/invalid config at storage/)
    }
  })
})
