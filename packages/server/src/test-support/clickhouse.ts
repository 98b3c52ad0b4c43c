import { ClickHouseLogLevel, createClient } from '@clickhouse/client'
import { describe, it } from 'vitest'
import { redactUrl } from '../storage/postgres/postgres-storage.js'

/**
 * The ClickHouse the tests use, in the collector's `storage` form: `PROMPTLEDGER_TEST_CLICKHOUSE_URL`, else the local
 * server that `scripts/clickhouse-test-server.sh start` runs (HTTP on 8123, user `default` without password).
 */
export const CLICKHOUSE_TEST_URL =
  process.env['PROMPTLEDGER_TEST_CLICKHOUSE_URL'] ?? 'clickhouse+http://default@127.0.0.1:8123'

/** A client of that server, for the tests' own setup and checks. */
export function testClient() {
  const url = new URL(CLICKHOUSE_TEST_URL.replace(/^clickhouse\+/, ''))
  return createClient({
    url: url.origin,
    username: decodeURIComponent(url.username) || 'default',
    password: decodeURIComponent(url.password),
    log: { level: ClickHouseLogLevel.OFF },
  })
}

/** Whether that server answers a query; asked once per test file. */
export async function clickhouseReachable(): Promise<boolean> {
  const client = testClient()
  try {
    const result = await client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' })
    await result.json()
    return true
  } catch {
    return false
  } finally {
    await client.close()
  }
}

/**
 * Says loudly that a ClickHouse test is skipped (locally), or fails (under `CI=true`, where the server must be there).
 * Returns whether the tests can run.
 */
export async function requireClickHouse(what: string): Promise<boolean> {
  if (await clickhouseReachable()) return true
  if (process.env['CI'] === 'true') {
    describe(`${what}: prerequisites`, () => {
      it('has ClickHouse under CI', () => {
        throw new Error(
          `ClickHouse is not reachable at ${redactUrl(CLICKHOUSE_TEST_URL)} under CI=true (scripts/clickhouse-test-server.sh start)`,
        )
      })
    })
  } else {
    console.warn(
      `\n!!! ${what} SKIPPED: ClickHouse is not reachable at ${redactUrl(CLICKHOUSE_TEST_URL)} ` +
        '(run scripts/clickhouse-test-server.sh start, or set PROMPTLEDGER_TEST_CLICKHOUSE_URL). !!!\n',
    )
  }
  return false
}

let databases = 0

/** A database name no other test (or run) uses; `dropDatabases` removes those this process made. */
export function freshDatabase(): string {
  databases++
  return `pl_test_${process.pid}_${Date.now().toString(36)}_${databases}`
}

/** Drops the databases `freshDatabase` handed out in this process. */
export async function dropDatabases(): Promise<void> {
  const client = testClient()
  try {
    const result = await client.query({
      query: `SELECT name FROM system.databases WHERE position(name, 'pl_test_${process.pid}_') = 1`,
      format: 'JSONEachRow',
    })
    for (const { name } of await result.json<{ name: string }>()) {
      await client.command({ query: `DROP DATABASE IF EXISTS \`${name}\`` })
    }
  } finally {
    await client.close()
  }
}
