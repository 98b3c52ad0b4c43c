import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FakeUpstream, startFakeOpenAI } from '../../../../../test-support/fake-upstreams/index.js'
import { loadConfig } from '../../config.js'
import { type RunningServer, startServer } from '../../start-server.js'
import { CLICKHOUSE_TEST_URL, dropDatabases, freshDatabase, requireClickHouse } from '../../test-support/clickhouse.js'
import { unsealed } from '../../test-support/records.js'

const reachable = await requireClickHouse('ClickHouse collector tests')

const dirs: string[] = []

/** A collector on the shared ClickHouse database, with its own data dir (keys, audit) and its own stream. */
function collector(database: string, stream: string, upstream: string): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-ch-'))
  dirs.push(dir)
  const file = { storage: CLICKHOUSE_TEST_URL, storageSchema: database, stream, proxy: { openaiUpstream: upstream } }
  const config = loadConfig({
    flags: { port: 0, data: dir, config: 'collector.json' },
    env: {},
    readFile: () => JSON.stringify(file),
  })
  return startServer(config)
}

describe.runIf(reachable)('two collectors on one ClickHouse store', () => {
  let fake: FakeUpstream
  let a: RunningServer
  let b: RunningServer

  beforeAll(async () => {
    fake = await startFakeOpenAI()
    const database = freshDatabase()
    a = await collector(database, 'collector-a', fake.url)
    b = await collector(database, 'collector-b', fake.url)
  })
  afterAll(async () => {
    await a?.close()
    await b?.close()
    await fake?.close()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
    await dropDatabases()
  })

  it('each seals its own stream; both read every record, and every chain verifies', async () => {
    expect(a.databasePath).toBe(CLICKHOUSE_TEST_URL.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@'))
    // Through A's proxy, with the real OpenAI client; a batch posted to B.
    const client = new OpenAI({ apiKey: 'sk-test-ch-0123456789abcdef', baseURL: `${a.url}/proxy/openai/v1` })
    const reply = await client.chat.completions.create({
      model: 'fake-echo',
      messages: [{ role: 'user', content: 'pelican migration, mail ana.lopez@example.com' }],
    })
    expect(reply.choices[0]?.message.content).toContain('pelican')
    const posted = await fetch(`${b.url}/v1/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        unsealed({ request: { model: 'fake-echo', messages: [{ role: 'user', content: 'pelican nest' }] } }),
      ]),
    })
    expect(posted.status).toBe(200)
    // The proxy stores its record after the call returns: wait for it on the shared store.
    type Found = Array<{ stream: string; request: { messages?: Array<{ content: string }> } }>
    let found: Found = []
    for (let i = 0; i < 100 && found.length < 2; i++) {
      const page = (await (await fetch(`${b.url}/v1/records?q=pelican`)).json()) as { records: Found }
      found = page.records
      if (found.length < 2) await new Promise((r) => setTimeout(r, 50))
    }
    expect(found.map((r) => r.stream).sort()).toEqual(['collector-a', 'collector-b'])
    const proxied = found.find((r) => r.stream === 'collector-a')!
    expect(JSON.stringify(proxied)).not.toContain('ana.lopez@example.com')
    const stats = (await (await fetch(`${a.url}/v1/stats?group_by=model`)).json()) as { rows: unknown[] }
    expect(stats.rows).toEqual([expect.objectContaining({ key: 'fake-echo', count: 2 })])
    type Verified = { ok: boolean; streams: Array<{ stream: string; count: number }> }
    const verified = (await (await fetch(`${a.url}/v1/verify`)).json()) as Verified
    expect(verified.ok).toBe(true)
    expect(verified.streams.map((s) => [s.stream, s.count])).toEqual([
      ['collector-a', 1],
      ['collector-b', 1],
    ])
  })
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
