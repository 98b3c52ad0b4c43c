import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FakeUpstream, startFakeOpenAI } from '../../../../../test-support/fake-upstreams/index.js'
import { loadConfig } from '../../config.js'
import { type RunningServer, startServer } from '../../start-server.js'
import { dropSchemas, freshSchema, POSTGRES_TEST_URL, requirePostgres } from '../../test-support/postgres.js'
import { unsealed } from '../../test-support/records.js'

const reachable = await requirePostgres('PostgreSQL collector tests')

/**
 * A collector on the shared PostgreSQL schema with its own stream. Collectors of one store share the data dir (data
 * keys, API keys, audit trail): each then reads the content the others encrypted.
 */
function collector(schema: string, stream: string, upstream: string, dir: string): Promise<RunningServer> {
  const file = { storage: POSTGRES_TEST_URL, storageSchema: schema, stream, proxy: { openaiUpstream: upstream } }
  const config = loadConfig({
    flags: { port: 0, data: dir, config: 'collector.json' },
    env: {},
    readFile: () => JSON.stringify(file),
  })
  return startServer(config)
}

describe.runIf(reachable)('two collectors on one PostgreSQL store', () => {
  let fake: FakeUpstream
  let a: RunningServer
  let b: RunningServer
  const dir = mkdtempSync(join(tmpdir(), 'pl-pg-'))

  beforeAll(async () => {
    fake = await startFakeOpenAI()
    const schema = freshSchema()
    a = await collector(schema, 'collector-a', fake.url, dir)
    b = await collector(schema, 'collector-b', fake.url, dir)
  })
  afterAll(async () => {
    await a?.close()
    await b?.close()
    await fake?.close()
    rmSync(dir, { recursive: true, force: true })
    await dropSchemas()
  })

  it('each seals its own stream; both read every record, and every chain verifies', async () => {
    expect(a.databasePath).toBe(POSTGRES_TEST_URL.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@'))
    // Through A's proxy, with the real OpenAI client; a batch posted to B.
    const client = new OpenAI({ apiKey: 'sk-test-pg-0123456789abcdef', baseURL: `${a.url}/proxy/openai/v1` })
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
    let found: Array<{ stream: string; request: { messages?: Array<{ content: string }> } }> = []
    for (let i = 0; i < 100 && found.length < 2; i++) {
      const page = await (await fetch(`${b.url}/v1/records?q=pelican`)).json()
      found = page.records
      if (found.length < 2) await new Promise((r) => setTimeout(r, 50))
    }
    expect(found.map((r) => r.stream).sort()).toEqual(['collector-a', 'collector-b'])
    // Encrypted by A at rest, read through B in clear, and redacted before either wrote it.
    const proxied = found.find((r) => r.stream === 'collector-a')!
    expect(proxied.request.messages?.[0]?.content).toBe('pelican migration, mail <EMAIL_ADDRESS>')
    const stats = await (await fetch(`${a.url}/v1/stats?group_by=model`)).json()
    expect(stats.rows).toEqual([expect.objectContaining({ key: 'fake-echo', count: 2 })])
    const verified = await (await fetch(`${a.url}/v1/verify`)).json()
    expect(verified.ok).toBe(true)
    expect(verified.streams.map((s: { stream: string; count: number }) => [s.stream, s.count])).toEqual([
      ['collector-a', 1],
      ['collector-b', 1],
    ])
  })
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
