// A stand-in collector for the dashboard's end-to-end test while the real collector app is not available: real
// HTTP on loopback, the built dashboard files with their CSP, and the read API answered from the real SQLite store.
import { timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { Chain, genesis, type LedgerRecord, type UnsealedRecord } from '@promptledger/sdk'
import { openSqliteStorage } from '../../../server/src/storage/sqlite/sqlite-storage.js'
import type { GroupBy, RecordFilter } from '../../../server/src/storage/storage.js'
import { dashboardContentSecurityPolicy, dashboardDir, dashboardFiles } from '../../index.js'

export interface TestCollector {
  url: string
  /** Seals and stores records, as the collector's ingest would. */
  ingest(records: UnsealedRecord[]): Promise<LedgerRecord[]>
  close(): Promise<void>
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
  res.end(JSON.stringify(body))
}

function filterOf(p: URLSearchParams): RecordFilter {
  const f: RecordFilter = {}
  const set = (k: keyof RecordFilter, name: string) => {
    const v = p.get(name)
    if (v) (f as Record<string, string>)[k] = v
  }
  set('from', 'from')
  set('to', 'to')
  set('model', 'model')
  set('provider', 'provider')
  set('userId', 'user_id')
  set('sessionId', 'session_id')
  set('status', 'status')
  set('tag', 'tag')
  set('app', 'app')
  set('q', 'q')
  return f
}

/** Starts the stand-in on 127.0.0.1:0 with an SQLite file at `dbPath`; `apiKey` makes the API require it. */
export async function startTestCollector(options: { dbPath: string; apiKey?: string }): Promise<TestCollector> {
  const storage = openSqliteStorage({ path: options.dbPath })
  const chain = new Chain(genesis('dashboard-e2e'))
  const files = new Map(
    Object.entries(dashboardFiles).map(([name, type]) => [
      name,
      { type, body: readFileSync(join(dashboardDir, name)) },
    ]),
  )
  const authorized = (req: IncomingMessage) => {
    if (!options.apiKey) return true
    const got = Buffer.from(req.headers.authorization ?? '')
    const want = Buffer.from(`Bearer ${options.apiKey}`)
    return got.length === want.length && timingSafeEqual(got, want)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1)
    const file = files.get(name)
    if (req.method === 'GET' && file) {
      res.writeHead(200, { 'content-type': file.type, 'content-security-policy': dashboardContentSecurityPolicy })
      res.end(file.body)
      return
    }
    if (url.pathname === '/healthz') return send(res, 200, { status: 'ok' })
    if (!authorized(req)) return send(res, 401, { error: { code: 'UNAUTHORIZED', message: 'missing API key' } })
    if (url.pathname === '/v1/records') {
      const limit = Number(url.searchParams.get('limit') ?? 50)
      const cursor = url.searchParams.get('cursor') ?? undefined
      const page = await storage.query(filterOf(url.searchParams), { limit, cursor })
      return send(res, 200, { records: page.records, next_cursor: page.nextCursor })
    }
    const one = /^\/v1\/records\/([^/]+)$/.exec(url.pathname)
    if (one) {
      const record = await storage.get(decodeURIComponent(one[1]!))
      return record
        ? send(res, 200, record)
        : send(res, 404, { error: { code: 'NOT_FOUND', message: 'no such record' } })
    }
    if (url.pathname === '/v1/stats') {
      const groupBy = (url.searchParams.get('group_by') as GroupBy | null) ?? null
      return send(res, 200, { rows: await storage.stats(filterOf(url.searchParams), groupBy) })
    }
    send(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${url.pathname}` } })
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { error: { code: 'INTERNAL', message: String(err) } }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    async ingest(records) {
      const sealed = records.map((r) => chain.seal(structuredClone(r)))
      await storage.append(sealed)
      return sealed
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await storage.close()
    },
  }
}
