import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import type { LedgerRecord } from '@promptledger/sdk'
import { createApp, openSqliteStorage } from '@promptledger/server'
import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { unsealedRecord } from '../../../sdk/src/test-support/records.js'
import { exportRemote } from '../commands/export.js'
import { renderStats } from '../commands/stats.js'
import { fetchRecords, fetchStats, postRecords } from './remote-client.js'
import { tailRemote, verifyRemote } from './remote-commands.js'

let app: FastifyInstance
let dir: string
let server: string

function record(content: string, model = 'gpt-4o'): Record<string, unknown> {
  const ts = new Date().toISOString()
  return unsealedRecord({
    ts,
    end_ts: ts,
    latency_ms: 5,
    request: { model, messages: [{ role: 'user', content }] },
    response: { output: 'ok' },
  })
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pl-'))
  const storage = openSqliteStorage({ path: join(dir, 'ledger.db') })
  app = await createApp({ storage, stream: 'collector-cli' })
  app.addHook('onClose', () => storage.close())
  server = await app.listen({ port: 0, host: '127.0.0.1' })
})
afterEach(async () => {
  await app.close()
  rmSync(dir, { recursive: true, force: true })
})

it('posts, queries and aggregates through the collector API', async () => {
  const answer = await postRecords({ server }, [record('first'), record('second', 'claude')])
  expect(answer).toMatchObject({ accepted: 2, duplicates: 0 })
  const page = await fetchRecords({ server }, { model: 'claude' }, { limit: 10 })
  expect(page.records.map((r) => r.request.model)).toEqual(['claude'])
  const stats = await fetchStats({ server }, {}, 'model')
  expect(stats.rows.map((r) => r.key).sort()).toEqual(['claude', 'gpt-4o'])
  await expect(fetchRecords({ server }, { status: 'maybe' })).rejects.toThrow(/400/)
  await expect(fetchRecords({ server: 'http://127.0.0.1:1' }, {})).rejects.toThrow(/cannot reach/)
})

it("shows an unpriced group's cost as unknown and a partly priced one as a lower bound", async () => {
  const priced = (model: string, cost_usd: number | null) => ({ ...record('hi', model), cost_usd })
  await postRecords({ server }, [
    priced('local', null),
    priced('gpt-4o', 0.5),
    priced('gpt-4o', 0.25),
    priced('mixed', 1),
    priced('mixed', null),
  ])
  const { rows } = await fetchStats({ server }, {}, 'model')
  const cost = (key: string) => rows.find((r) => r.key === key)
  expect(cost('local')).toMatchObject({ count: 1, cost_usd: null, priced_count: 0 })
  expect(cost('mixed')).toMatchObject({ count: 2, cost_usd: 1, priced_count: 1 })
  const lines = renderStats(rows).trimEnd().split('\n')
  const costOf = (key: string) =>
    lines
      .find((l) => l.startsWith(`${key} `))!
      .split(/\s+/)
      .at(-1)
  expect([costOf('gpt-4o'), costOf('local'), costOf('mixed')]).toEqual(['$0.7500', '-', '≥$1.0000'])
  expect(lines.at(-1)).toMatch(/^cost: - no record of the group has a known price/)
  expect(renderStats(rows.filter((r) => r.key === 'gpt-4o'))).not.toMatch(/^cost:/m)
})

it("exports a collector's records, every page, as NDJSON or an Elasticsearch bulk body, within --since", async () => {
  const old = { ...record('heron old'), ts: '2026-01-01T00:00:00.000Z', end_ts: '2026-01-01T00:00:01.000Z' }
  const recent = Array.from({ length: 1203 }, (_, i) => record(`heron ${i}`))
  await postRecords({ server }, [old])
  for (let i = 0; i < recent.length; i += 500) await postRecords({ server }, recent.slice(i, i + 500))
  const collect = async (flags: Parameters<typeof exportRemote>[1]) => {
    const out = new PassThrough()
    let text = ''
    out.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8')
    })
    const n = await exportRemote({ server }, flags, out)
    return { n, lines: text.trimEnd().split('\n') }
  }
  const all = await collect({})
  expect(all.n).toBe(1204)
  expect(new Set(all.lines.map((l) => JSON.parse(l).id)).size).toBe(1204)
  const bulk = await collect({ since: '2026-06-01T00:00:00Z', format: 'es-bulk', index: 'calls' })
  expect(bulk.n).toBe(1203)
  expect(bulk.lines).toHaveLength(2 * 1203)
  expect(JSON.parse(bulk.lines[0]!)).toEqual({ index: { _index: 'calls', _id: JSON.parse(bulk.lines[1]!).id } })
  await expect(collect({ format: 'csv' })).rejects.toThrow(/--format/)
})

it('tails history then live records from the stream, each once', async () => {
  await postRecords({ server }, [record('old one'), record('old two')])
  const lines: string[] = []
  const stop = new AbortController()
  let seen: () => void = () => {}
  const gotLive = new Promise<void>((resolve) => {
    seen = resolve
  })
  let historyDone: () => void = () => {}
  const gotHistory = new Promise<void>((resolve) => {
    historyDone = resolve
  })
  const tail = tailRemote(
    { server },
    {},
    { lines: 5, follow: true, format: (r: LedgerRecord) => String(r.request.messages?.[0]?.content) },
    (line) => {
      lines.push(line.trim())
      if (lines.length === 2) historyDone()
      if (line.includes('live')) seen()
    },
    stop.signal,
  )
  // Wait for the history to be printed (the stream is open by then), then store a new record.
  await gotHistory
  await postRecords({ server }, [record('live one')])
  await gotLive
  stop.abort()
  await tail
  expect(lines).toEqual(['old one', 'old two', 'live one'])
})

it('verifies the collector chain', async () => {
  await postRecords({ server }, [record('a'), record('b')])
  const out: string[] = []
  expect(await verifyRemote({ server }, {}, (t) => out.push(t))).toBe(0)
  expect(out.join('')).toContain('intact: 2 records in 1 stream(s)')
})
