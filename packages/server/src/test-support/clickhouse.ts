import { ClickHouseLogLevel, createClient } from '@clickhouse/client'
import { redactUrl } from '../storage/backend-common.js'
import { requireService } from './require-service.js'

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

/** Whether ClickHouse answers; when not, a loud skip locally and a failure under `CI=true` (see `requireService`). */
export async function requireClickHouse(what: string): Promise<boolean> {
  const hint = 'run scripts/clickhouse-test-server.sh start, or set PROMPTLEDGER_TEST_CLICKHOUSE_URL'
  return requireService(what, 'ClickHouse', redactUrl(CLICKHOUSE_TEST_URL), await clickhouseReachable(), hint)
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
