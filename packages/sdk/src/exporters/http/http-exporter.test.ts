import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { LedgerRecord } from '../../record/schema.js'
import { Chain, genesis } from '../../seal/chain.js'
import { unsealedRecord } from '../../test-support/records.js'
import { HttpExporter, parseRetryAfter } from './http-exporter.js'
import { withRetry } from './retry-exporter.js'
import { withSpool } from './spool-exporter.js'

interface Received {
  headers: IncomingMessage['headers']
  records: LedgerRecord[]
}

/** A stand-in collector whose answers the test scripts (status and headers per request). */
class FakeCollector {
  server: Server
  received: Received[] = []
  answers: Array<{ status: number; headers?: Record<string, string> }> = []
  url = ''
  constructor() {
    this.server = createServer((req, res) => {
      let body = ''
      req.setEncoding('utf8')
      req.on('data', (c) => {
        body += c
      })
      req.on('end', () => {
        const answer = this.answers.shift() ?? { status: 200 }
        if (answer.status < 300) {
          const records = body.startsWith('[')
            ? (JSON.parse(body) as LedgerRecord[])
            : body.split('\n').map((l) => JSON.parse(l) as LedgerRecord)
          this.received.push({ headers: req.headers, records })
        }
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
        res.end(answer.status < 300 ? '{}' : JSON.stringify({ error: { code: 'X', message: 'nope' } }))
      })
    })
  }
  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }
  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise((resolve) => this.server.close(resolve))
  }
  ids(): string[] {
    return this.received.flatMap((r) => r.records.map((x) => x.id))
  }
}

function records(n: number): LedgerRecord[] {
  const chain = new Chain(genesis('sdk'))
  return Array.from({ length: n }, () => chain.seal(unsealedRecord({ request: { model: 'm' } })))
}

let collector: FakeCollector
let dir: string
beforeEach(async () => {
  collector = new FakeCollector()
  await collector.listen()
  dir = mkdtempSync(join(tmpdir(), 'pl-'))
})
afterEach(async () => {
  await collector.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('HttpExporter', () => {
  it('posts NDJSON with a bearer key, or JSON', async () => {
    const exporter = new HttpExporter({ endpoint: collector.url, apiKey: 'k-123' })
    expect(await exporter.export(records(3))).toEqual({ ok: true })
    expect(collector.received[0]!.headers['authorization']).toBe('Bearer k-123')
    expect(collector.received[0]!.headers['content-type']).toBe('application/x-ndjson')
    const json = new HttpExporter({ endpoint: `${collector.url}/`, format: 'json' })
    await json.export(records(2))
    expect(collector.received[1]!.records).toHaveLength(2)
    await exporter.shutdown()
    await json.shutdown()
    expect((await exporter.export(records(1))).ok).toBe(false)
  })

  it('classifies 4xx as final, 429/5xx and network errors as retryable, with Retry-After', async () => {
    const exporter = new HttpExporter({ endpoint: collector.url })
    collector.answers.push({ status: 400 }, { status: 503, headers: { 'retry-after': '2' } })
    const bad = await exporter.export(records(1))
    expect(bad).toMatchObject({ ok: false, retryable: false })
    if (!bad.ok) expect(bad.error.message).toContain('400: nope')
    const busy = await exporter.export(records(1))
    expect(busy).toMatchObject({ ok: false, retryable: true, error: { status: 503, retryAfterMs: 2000 } })
    await collector.close()
    const down = await exporter.export(records(1))
    expect(down).toMatchObject({ ok: false, retryable: true, error: { status: null } })
    await exporter.shutdown()
  })

  it('rejects an endpoint that is not an http URL', () => {
    expect(() => new HttpExporter({ endpoint: 'ftp://x' })).toThrow(/http/)
    expect(() => new HttpExporter({ endpoint: 'nope' })).toThrow(/URL/)
    expect(parseRetryAfter('1.5')).toBe(1500)
    expect(parseRetryAfter(undefined)).toBeNull()
  })
})

describe('withRetry', () => {
  it('retries retryable failures with backoff until success, and stops on a final failure', async () => {
    const exporter = withRetry(new HttpExporter({ endpoint: collector.url }), { baseDelayMs: 1, random: () => 0.5 })
    collector.answers.push({ status: 503 }, { status: 429, headers: { 'retry-after': '0' } }, { status: 502 })
    expect(await exporter.export(records(2))).toEqual({ ok: true })
    expect(collector.received).toHaveLength(1)
    collector.answers.push({ status: 422 })
    expect(await exporter.export(records(1))).toMatchObject({ ok: false, retryable: false })
    const limited = withRetry(new HttpExporter({ endpoint: collector.url }), { maxAttempts: 2, baseDelayMs: 1 })
    collector.answers.push({ status: 500 }, { status: 500 }, { status: 200 })
    expect(await limited.export(records(1))).toMatchObject({ ok: false, retryable: true })
    await exporter.shutdown()
    await limited.shutdown()
  })
})

describe('withSpool', () => {
  it('spools while the collector is down and delivers in order, exactly once, after recovery', async () => {
    const port = Number(new URL(collector.url).port)
    await collector.close()
    const spool = withSpool(new HttpExporter({ endpoint: collector.url }), { dir, retryDelayMs: 5 })
    const batches = [records(2), records(3), records(1)]
    for (const b of batches) expect(await spool.export(b)).toEqual({ ok: true })
    expect(spool.stats()).toMatchObject({ pendingBatches: 3 })
    const files = readdirSync(join(dir, 'spool'))
    expect(files).toHaveLength(3)
    expect(statSync(join(dir, 'spool', files[0]!)).mode & 0o777).toBe(0o600)
    collector = new FakeCollector()
    await collector.listen(port)
    await spool.drained()
    expect(collector.ids()).toEqual(batches.flat().map((r) => r.id))
    expect(readdirSync(join(dir, 'spool'))).toEqual([])
    await spool.shutdown()
  })

  it('delivers a spool left by a previous process at start', async () => {
    const port = Number(new URL(collector.url).port)
    await collector.close()
    const first = withSpool(new HttpExporter({ endpoint: collector.url }), { dir, retryDelayMs: 60_000 })
    const batch = records(4)
    await first.export(batch)
    await first.shutdown()
    collector = new FakeCollector()
    await collector.listen(port)
    const second = withSpool(new HttpExporter({ endpoint: collector.url }), { dir, retryDelayMs: 5 })
    await second.drained()
    expect(collector.ids()).toEqual(batch.map((r) => r.id))
    await second.shutdown()
  })

  it('drops the oldest batches past the byte bound and counts them', async () => {
    await collector.close()
    const drops: number[] = []
    const spool = withSpool(new HttpExporter({ endpoint: collector.url }), {
      dir,
      maxBytes: 2500,
      retryDelayMs: 60_000,
      onDrop: (n) => drops.push(n),
    })
    for (let i = 0; i < 5; i++) await spool.export(records(2))
    const stats = spool.stats()
    expect(stats.pendingBytes).toBeLessThanOrEqual(2500)
    expect(stats.droppedRecords).toBeGreaterThan(0)
    expect(drops.reduce((a, b) => a + b, 0)).toBe(stats.droppedRecords)
    expect(stats.droppedRecords + stats.pendingBatches * 2).toBe(10)
    await spool.shutdown()
  })

  it('sets a batch the collector rejects aside instead of retrying it forever', async () => {
    const port = Number(new URL(collector.url).port)
    await collector.close()
    const spool = withSpool(new HttpExporter({ endpoint: collector.url }), { dir, retryDelayMs: 5 })
    await spool.export(records(1))
    await spool.export(records(1))
    collector = new FakeCollector()
    collector.answers.push({ status: 400 })
    await collector.listen(port)
    await spool.drained()
    expect(spool.stats()).toMatchObject({ rejectedBatches: 1, pendingBatches: 0 })
    expect(collector.received).toHaveLength(1)
    expect(readdirSync(join(dir, 'spool')).filter((f) => f.endsWith('.rejected'))).toHaveLength(1)
    await spool.shutdown()
  })
})
