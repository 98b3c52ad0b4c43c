import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { type AppOptions, createApp } from '../app.js'
import { openSqliteStorage, type SqliteStorage } from '../storage/sqlite/sqlite-storage.js'

export interface TestApp {
  app: FastifyInstance
  storage: SqliteStorage
  close(): Promise<void>
}

/** An app over a real SQLite file in a temp dir. */
export async function testApp(options: Partial<AppOptions> = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-'))
  const storage = openSqliteStorage({ path: join(dir, 'ledger.db') })
  const app = await createApp({ storage, stream: 'collector-test', ...options })
  return {
    app,
    storage,
    async close() {
      await app.close()
      await storage.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export function postRecords(app: FastifyInstance, body: unknown, contentType = 'application/json') {
  return app.inject({
    method: 'POST',
    url: '/v1/records',
    headers: { 'content-type': contentType },
    payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  })
}
