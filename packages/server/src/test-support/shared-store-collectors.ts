import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type FakeUpstream, startFakeOpenAI } from '../../../../test-support/fake-upstreams/index.js'
import { loadConfig } from '../config.js'
import { type RunningServer, startServer } from '../start-server.js'
import { redactUrl } from '../storage/backend-common.js'
import { unsealed } from './records.js'

/**
 * A collector on a shared store (`storage` URL, `schema`) with its own stream. Collectors of one store share the data
 * dir (data keys, API keys, audit trail): each then reads the content the others encrypted.
 */
function collector(storage: string, schema: string, stream: string, upstream: string, dir: string) {
  const file = { storage, storageSchema: schema, stream, proxy: { openaiUpstream: upstream } }
  const config = loadConfig({
    flags: { port: 0, data: dir, config: 'collector.json' },
    env: {},
    readFile: () => JSON.stringify(file),
  })
  return startServer(config)
}

/**
 * Registers, in the calling `describe`, two collectors on one store (`freshSchema()` names a new schema or database)
 * and the test that each seals its own stream, both read every record (one collector's encrypted, redacted proxied
 * call in clear through the other), stats count both and every chain verifies.
 */
export function twoCollectorsOnOneStore(storage: string, freshSchema: () => string): void {
  let fake: FakeUpstream
  let a: RunningServer
  let b: RunningServer
  const dir = mkdtempSync(join(tmpdir(), 'pl-shared-'))

  beforeAll(async () => {
    fake = await startFakeOpenAI()
    const schema = freshSchema()
    a = await collector(storage, schema, 'collector-a', fake.url, dir)
    b = await collector(storage, schema, 'collector-b', fake.url, dir)
  })
  afterAll(async () => {
    await a?.close()
    await b?.close()
    await fake?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('each seals its own stream; both read every record, and every chain verifies', async () => {
    expect(a.databasePath).toBe(redactUrl(storage))
    // Through A's proxy, with the real OpenAI client; a batch posted to B.
    const client = new OpenAI({ apiKey: 'sk-test-shared-0123456789abcdef', baseURL: `${a.url}/proxy/openai/v1` })
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
      found = ((await (await fetch(`${b.url}/v1/records?q=pelican`)).json()) as { records: Found }).records
      if (found.length < 2) await new Promise((r) => setTimeout(r, 50))
    }
    expect(found.map((r) => r.stream).sort()).toEqual(['collector-a', 'collector-b'])
    // Encrypted by A at rest, read through B in clear, and redacted before either wrote it.
    const proxied = found.find((r) => r.stream === 'collector-a')!
    expect(proxied.request.messages?.[0]?.content).toBe('pelican migration, mail <EMAIL_ADDRESS>')
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
}
