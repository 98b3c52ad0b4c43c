import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Anthropic from '@anthropic-ai/sdk'
import {
  DataKeyStore,
  Encryptor,
  type LedgerRecord,
  LocalKeyringProvider,
  type UnsealedRecord,
} from '@promptledger/sdk'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type FakeUpstream,
  startFakeAnthropic,
  startFakeOpenAI,
} from '../../../../test-support/fake-upstreams/index.js'
import { loadConfig } from '../config.js'
import { type RunningServer, startServer } from '../start-server.js'
import { SEARCH_TEXT } from '../storage/record-columns.js'
import { openSqliteStorage } from '../storage/sqlite/sqlite-storage.js'
import { createCollectorProxy, type IngestSink } from './collector-proxy.js'

const SECRET = 'sk-test-secret-key-0123456789'
const EMAIL = 'ana.lopez@example.com'

let dir: string
let oa: FakeUpstream
let an: FakeUpstream
let server: RunningServer
const stored: LedgerRecord[] = []
const waiters: Array<() => void> = []

/** Resolves once `n` records have been sealed and stored by the collector. */
function storedCount(n: number): Promise<void> {
  if (stored.length >= n) return Promise.resolve()
  return new Promise((resolve) => {
    const check = () => (stored.length >= n ? resolve() : waiters.push(check))
    waiters.push(check)
  })
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pl-'))
  oa = await startFakeOpenAI()
  an = await startFakeAnthropic()
  // The real wiring: `--openai-upstream` / `--anthropic-upstream` flags, startServer mounts the proxy itself.
  const flags = { port: 0, data: dir, openaiUpstream: oa.url, anthropicUpstream: an.url }
  server = await startServer(loadConfig({ flags, env: {} }))
  server.app.ingest.on('records', (batch) => {
    stored.push(...batch)
    for (const w of waiters.splice(0)) w()
  })
})

afterAll(async () => {
  await server.close()
  await oa.close()
  await an.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('proxy through the collector app', () => {
  it('passes an OpenAI stream through unchanged and stores a sealed, redacted record', async () => {
    const direct = new OpenAI({ apiKey: SECRET, baseURL: `${oa.url}/v1`, maxRetries: 0 })
    const proxied = new OpenAI({
      apiKey: SECRET,
      baseURL: `${server.url}/proxy/openai/v1`,
      maxRetries: 0,
      defaultHeaders: { 'x-promptledger-user': 'user_42' },
    })
    const req = {
      model: 'fake-echo',
      messages: [{ role: 'user' as const, content: `Mail me at ${EMAIL}` }],
      stream: true as const,
      stream_options: { include_usage: true },
    }
    const a: unknown[] = []
    for await (const c of await direct.chat.completions.create(req)) a.push(c)
    const b: unknown[] = []
    for await (const c of await proxied.chat.completions.create(req)) b.push(c)
    expect(b).toEqual(a)
    await storedCount(1)
    const r = stored[0]!
    expect(r).toMatchObject({ provider: 'openai', operation: 'chat', status: 'ok', user_id: 'user_42' })
    expect(r.usage?.output_tokens).toBeGreaterThan(0)
    expect(r.ttft_ms).toBeGreaterThan(0)
    expect(r.hash).toMatch(/^[0-9a-f]{64}$/)
    const text = JSON.stringify(r)
    expect(text).not.toContain(SECRET)
    if (server.redacting) {
      expect(text).not.toContain(EMAIL)
      expect(r.redactions['EMAIL_ADDRESS']).toBeGreaterThanOrEqual(1)
    }
  })

  it("has the record worker encrypt under the user's key and make the search text, ingest storing both as they come", async () => {
    const before = stored.length
    // What reaches ingest, as it reaches it (the app's own instance, wrapped, not replaced).
    const ingest = server.app.ingest
    const handed: boolean[] = []
    const original = ingest.ingest.bind(ingest)
    ingest.ingest = (batch, call) => {
      for (const r of batch) handed.push(r.enc != null)
      return original(batch, call)
    }
    try {
      const proxied = new OpenAI({
        apiKey: SECRET,
        baseURL: `${server.url}/proxy/openai/v1`,
        maxRetries: 0,
        defaultHeaders: { 'x-promptledger-user': 'user_77' },
      })
      await proxied.chat.completions.create({
        model: 'fake-echo',
        messages: [{ role: 'user', content: `the zebracorn ledger, mail ${EMAIL}` }],
      })
      await storedCount(before + 1)
    } finally {
      ingest.ingest = original
    }
    const r = stored[before]!
    expect(handed).toEqual([true])
    expect(r.enc).toMatchObject({ subject: 'user:user_77' })
    expect(JSON.stringify(r)).not.toContain('zebracorn')
    // Indexed from the plaintext the worker had, redacted; read back decrypted through the API.
    const found = (await (await fetch(`${server.url}/v1/records?q=zebracorn`)).json()) as { records: LedgerRecord[] }
    expect(found.records.map((x) => x.id)).toEqual([r.id])
    const text = JSON.stringify(found.records[0]!.request.messages)
    expect(text).toContain('the zebracorn ledger')
    expect(text).not.toContain(EMAIL)
  })

  it('stores an Anthropic tool_use call and an upstream error', async () => {
    const client = new Anthropic({ apiKey: SECRET, baseURL: `${server.url}/proxy/anthropic`, maxRetries: 0 })
    const msg = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [{ name: 'get_weather', input_schema: { type: 'object' } }],
    })
    expect(msg.stop_reason).toBe('tool_use')
    const err = await client.messages
      .create({ model: 'fake-error-429', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Anthropic.RateLimitError)
    await storedCount(3)
    const tool = stored.find((r) => r.provider === 'anthropic' && r.status === 'ok')
    expect(tool?.response?.finish_reasons).toEqual(['tool_use'])
    // The collector encrypts content by default; tool calls are then inside `enc`, otherwise in the clear.
    if (!tool?.enc) expect(tool?.response?.tool_calls?.[0]).toMatchObject({ name: 'get_weather' })
    expect(tool?.usage?.output_tokens).toBe(msg.usage.output_tokens)
    const failed = stored.find((r) => r.provider === 'anthropic' && r.status === 'error')
    expect(failed?.error).toMatchObject({ type: 'rate_limit_error', http_status: 429 })
  })
})

describe('proxy shutdown', () => {
  it('stores every call it answered before a graceful close', async () => {
    const data = mkdtempSync(join(tmpdir(), 'pl-'))
    const own = await startServer(loadConfig({ flags: { port: 0, data, openaiUpstream: oa.url }, env: {} }))
    const client = new OpenAI({ apiKey: SECRET, baseURL: `${own.url}/proxy/openai/v1`, maxRetries: 0 })
    const calls = Array.from({ length: 20 }, (_, i) =>
      client.chat.completions.create({ model: 'fake-echo', messages: [{ role: 'user', content: `call ${i}` }] }),
    )
    await Promise.all(calls)
    // At once: the records are still in the worker or waiting for their batch.
    await own.close()
    const storage = openSqliteStorage({ path: own.databasePath })
    try {
      const [all] = await storage.stats({ provider: 'openai' }, null)
      expect(all?.count).toBe(20)
    } finally {
      await storage.close()
      rmSync(data, { recursive: true, force: true })
    }
  })
})

describe('proxy ingest batches', () => {
  it('hands the records of a batch window to ingest in one call when the slice allows, in order, and every one', async () => {
    const calls: UnsealedRecord[][] = []
    const cp = createCollectorProxy(
      // Longer than the test: the batch goes to ingest when the proxy closes, not when its window ends; the slice
      // holds the whole window.
      { openaiUpstream: oa.url, ingestDelayMs: 60_000, ingestSlice: 512 },
      {
        ingest: collectInto(calls),
      },
    )
    await tenCallsThen(cp)
    expect(calls).toHaveLength(1)
    const order = calls.flat().map((r) => Number(/call (\d+)/.exec(JSON.stringify(r))?.[1]))
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(cp.dropped).toBe(0)
  })
})

describe('proxy records and data keys', () => {
  it('sends a group without keys when they cannot be resolved: its records come clear, for ingest to encrypt', async () => {
    const calls: UnsealedRecord[][] = []
    let asked = 0
    const cp = createCollectorProxy(
      { openaiUpstream: oa.url, ingestDelayMs: 60_000, ingestSlice: 512 },
      {
        keysFor: () => {
          asked++
          throw new Error('the key file is unreadable')
        },
        ingest: collectInto(calls),
      },
    )
    await tenCallsThen(cp)
    expect(asked).toBeGreaterThan(0)
    expect(calls.flat()).toHaveLength(10)
    expect(calls.flat().every((r) => r.enc == null && JSON.stringify(r).includes('call '))).toBe(true)
    expect(cp.dropped).toBe(0)
  })

  it("seals as erased the calls its user's erasure captured while they were in flight, with no search text", async () => {
    const keyDir = mkdtempSync(join(tmpdir(), 'pl-keys-'))
    const keys = DataKeyStore.open({ dir: keyDir, provider: LocalKeyringProvider.open({ dir: keyDir }) })
    const encryptor = new Encryptor({ keys })
    const earlier = keys.getOrCreate('user:user_99').keyId
    const calls: UnsealedRecord[][] = []
    const cp = createCollectorProxy(
      { openaiUpstream: oa.url, ingestDelayMs: 60_000, ingestSlice: 512 },
      {
        // The erasure lands as the first call's group goes to the record worker: after the call ended, before its
        // record was encrypted.
        keysFor: (users) => {
          if (!keys.isErased(earlier)) keys.destroy('user:user_99')
          return encryptor.batchKeys(users)
        },
        ingest: collectInto(calls),
      },
    )
    const http = createServer(cp.proxy)
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const { port } = http.address() as AddressInfo
    const client = (user: string) =>
      new OpenAI({
        apiKey: SECRET,
        baseURL: `http://127.0.0.1:${port}/proxy/openai/v1`,
        maxRetries: 0,
        defaultHeaders: { 'x-promptledger-user': user },
      })
    try {
      await client('user_99').chat.completions.create({
        model: 'fake-echo',
        messages: [{ role: 'user', content: 'okapi one' }],
      })
      await client('user_5').chat.completions.create({
        model: 'fake-echo',
        messages: [{ role: 'user', content: 'okapi two' }],
      })
    } finally {
      await cp.close()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    }
    const [gone, kept] = calls.flat() as LedgerRecord[]
    expect(gone).toMatchObject({ user_id: 'user_99', enc: { key_id: earlier } })
    expect(JSON.stringify(gone)).not.toContain('okapi')
    expect((gone as { [SEARCH_TEXT]?: string })[SEARCH_TEXT]).toBe('')
    expect(encryptor.readRecord(gone!).erased).toBe(true)
    expect(JSON.stringify(encryptor.decryptRecord(kept!).request.messages)).toContain('okapi two')
    expect((kept as { [SEARCH_TEXT]?: string })[SEARCH_TEXT]).toContain('okapi two')
    rmSync(keyDir, { recursive: true, force: true })
  })
})

/** An ingest path that keeps each batch it is handed in `calls` (and then runs `then`), storing nothing. */
function collectInto(calls: UnsealedRecord[][], then?: () => void): () => IngestSink {
  return () => ({
    async ingest(batch) {
      calls.push(batch)
      then?.()
      return undefined
    },
  })
}

/**
 * Serves `cp` on loopback, makes ten calls through it one after the other (so the order they ended in is known),
 * waits for `before` and closes the proxy, which hands over what it still holds.
 */
async function tenCallsThen(cp: ReturnType<typeof createCollectorProxy>, before?: () => Promise<void>): Promise<void> {
  const http = createServer(cp.proxy)
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const { port } = http.address() as AddressInfo
  const client = new OpenAI({ apiKey: SECRET, baseURL: `http://127.0.0.1:${port}/proxy/openai/v1`, maxRetries: 0 })
  try {
    for (let i = 0; i < 10; i++) {
      await client.chat.completions.create({ model: 'fake-echo', messages: [{ role: 'user', content: `call ${i}` }] })
    }
    await before?.()
  } finally {
    await cp.close()
    await new Promise<void>((resolve) => http.close(() => resolve()))
  }
}

describe('proxy ingest slices', () => {
  it('hands a batch to ingest in slices of `ingestSlice` records, and what is left at once on close', async () => {
    const calls: UnsealedRecord[][] = []
    let first: () => void = () => {}
    const firstIn = new Promise<void>((resolve) => {
      first = resolve
    })
    const cp = createCollectorProxy(
      // The batch goes when it has `maxBatch` records; its slices are spread over the (long) window after that.
      { openaiUpstream: oa.url, ingestDelayMs: 60_000, ingestSlice: 3 },
      {
        maxBatch: 10,
        ingest: collectInto(calls, () => first()),
      },
    )
    await tenCallsThen(cp, () => firstIn)
    expect(calls.map((c) => c.length)).toEqual([3, 7])
    const order = calls.flat().map((r) => Number(/call (\d+)/.exec(JSON.stringify(r))?.[1]))
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(cp.dropped).toBe(0)
  })
})

describe('proxy configuration', () => {
  it('names the bad flag when an upstream is not an http(s) URL', () => {
    expect(() => loadConfig({ flags: { openaiUpstream: 'ftp://example.com' }, env: {} })).toThrow(
      /proxy\.openaiUpstream/,
    )
    const ok = loadConfig({ flags: {}, env: { PROMPTLEDGER_ANTHROPIC_UPSTREAM: 'http://127.0.0.1:9' } })
    expect(ok.proxy).toEqual({ anthropicUpstream: 'http://127.0.0.1:9' })
  })
})
