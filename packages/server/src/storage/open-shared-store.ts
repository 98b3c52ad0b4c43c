import { redactUrl } from './backend-common.js'
import { openClickHouseStorage } from './clickhouse/clickhouse-storage.js'
import { openPostgresStorage } from './postgres/postgres-storage.js'
import type { IndexTextOptions } from './record-columns.js'
import type { Storage } from './storage.js'

/** Whether a `storage` setting names a shared store (PostgreSQL or ClickHouse) rather than the data dir's SQLite. */
export function isSharedStoreUrl(storage: string): boolean {
  return /^postgres(ql)?:\/\/./.test(storage) || /^clickhouse\+https?:\/\/./.test(storage)
}

/**
 * Opens the shared store a `storage` URL names: `postgres://…` / `postgresql://…` or `clickhouse+http(s)://…`, in
 * `schema` (PostgreSQL's schema, ClickHouse's database). Its name, for messages, is the URL with the password masked.
 *
 * @example
 * const { storage, name } = await openSharedStore('postgres://app:pw@db/ledger', 'promptledger')
 */
export async function openSharedStore(
  url: string,
  schema: string,
  index: IndexTextOptions = {},
): Promise<{ storage: Storage; name: string }> {
  const storage = url.startsWith('clickhouse+')
    ? await openClickHouseStorage({ url, database: schema, ...index })
    : await openPostgresStorage({ url, schema, ...index })
  return { storage, name: redactUrl(url) }
}
