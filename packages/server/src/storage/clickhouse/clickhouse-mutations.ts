import type { ClickHouseClient } from '@clickhouse/client'
import { ServerError } from '../../errors.js'
import { sqlString } from './clickhouse-sql.js'

/** How long a deletion or an erasure waits for its mutations by default: retention over a large table rewrites a lot. */
export const DEFAULT_MUTATION_TIMEOUT_MS = 10 * 60_000

/**
 * Waits until no mutation of these tables is left unfinished. ClickHouse deletes and updates rows only through
 * `ALTER TABLE … DELETE/UPDATE` mutations, which return once queued and rewrite the affected parts in the background;
 * 18.16 has neither `mutations_sync` nor lightweight DELETE, so the store polls `system.mutations`, the one place every
 * version reports progress. A deletion or erasure is answered only once done: a record reported deleted is gone from
 * every read, and a subject reported erased is no longer found by search.
 *
 * A mutation that cannot apply is retried by the server forever (18.16 does not report why); after `timeoutMs` this
 * throws, saying that the work may still complete on the server.
 *
 * @example
 * await client.command({ query: `ALTER TABLE db.records DELETE WHERE ts < 1767225600000` })
 * await waitForMutations(client, 'db', ['records'], 60_000)
 */
export async function waitForMutations(
  client: ClickHouseClient,
  database: string,
  tables: readonly string[],
  timeoutMs: number,
): Promise<void> {
  const query = `SELECT count() AS pending FROM system.mutations
    WHERE database = ${sqlString(database)} AND table IN (${tables.map(sqlString).join(', ')}) AND is_done = 0`
  const deadline = Date.now() + timeoutMs
  // Small mutations finish within milliseconds; the pause grows so a long one costs few polls.
  let pause = 10
  for (;;) {
    const result = await client.query({ query, format: 'JSONEachRow' })
    const [row] = await result.json<{ pending: string }>()
    if (Number(row?.pending ?? 0) === 0) return
    if (Date.now() + pause > deadline) {
      throw new ServerError(
        'STORAGE_ERROR',
        `ClickHouse has not finished rewriting ${tables.join(', ')} after ${Math.round(timeoutMs / 1000)} s; ` +
          'the mutation stays queued on the server (see system.mutations)',
      )
    }
    await new Promise((resolve) => setTimeout(resolve, pause))
    pause = Math.min(pause * 2, 500)
  }
}
