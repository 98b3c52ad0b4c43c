import pg from 'pg'
import { requireService } from './require-service.js'

/** The PostgreSQL the tests use: `PROMPTLEDGER_TEST_POSTGRES_URL`, else the local server on 5432, database `test`. */
export const POSTGRES_TEST_URL =
  process.env['PROMPTLEDGER_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'

/** Whether that server answers; asked once per test file. */
export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** Whether PostgreSQL answers; when not, a loud skip locally and a failure under `CI=true` (see `requireService`). */
export async function requirePostgres(what: string): Promise<boolean> {
  const hint = 'set PROMPTLEDGER_TEST_POSTGRES_URL'
  return requireService(what, 'PostgreSQL', POSTGRES_TEST_URL, await postgresReachable(), hint)
}

let schemas = 0

/** A schema name no other test (or run) uses; `dropSchemas` removes those this file made. */
export function freshSchema(): string {
  schemas++
  return `pl_test_${process.pid}_${Date.now().toString(36)}_${schemas}`
}

/** Drops the schemas `freshSchema` handed out in this process. */
export async function dropSchemas(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL })
  await client.connect()
  try {
    const { rows } = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [
      `pl_test_${process.pid}_%`,
    ])
    for (const { nspname } of rows) await client.query(`DROP SCHEMA "${nspname}" CASCADE`)
  } finally {
    await client.end()
  }
}
