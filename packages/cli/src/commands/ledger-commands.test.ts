import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { createLedger } from '@promptledger/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportLocal } from './export.js'
import { tailLocal } from './tail.js'
import { verifyLocal } from './verify.js'

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'promptledger.js')
let dir: string
// Two days ago at midnight UTC: recent enough for the default 30-day retention.
const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000
const iso = (h: number) => new Date(day + h * 3_600_000).toISOString()

function sink() {
  const out = new PassThrough()
  let text = ''
  out.on('data', (c: Buffer) => {
    text += c.toString()
  })
  return { out, text: () => text }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-'))
  const ledger = createLedger({ dir, stream: 'cli', handleExit: false, maxFileBytes: 4096 })
  for (let i = 0; i < 20; i++) {
    ledger.log({
      prompt: `question ${i} ${'x'.repeat(200)}`,
      response: `answer ${i}`,
      userId: i % 2 ? 'odd' : 'even',
      model: 'm',
      startTime: day + i * 3_600_000,
      latencyMs: 5,
    })
  }
  await ledger.close()
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('verify', () => {
  it('exits 0 on an intact ledger', async () => {
    const s = sink()
    expect(await verifyLocal(dir, {}, s.out)).toBe(0)
    expect(s.text()).toContain('intact: 20 records in 1 stream(s)')
  })

  it('exits 1 naming stream, seq, file and line of an altered record (bin)', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-'))
    fs.cpSync(dir, copy, { recursive: true })
    const active = fs.readdirSync(path.join(copy, 'cli')).find((f) => /^\d{16}-.*\.ndjson$/.test(f))!
    const file = path.join(copy, 'cli', active)
    const lines = fs.readFileSync(file, 'utf8').split('\n')
    const seq = JSON.parse(lines[0]!).seq
    lines[0] = lines[0]!.replace('"status":"ok"', '"status":"OK"')
    fs.writeFileSync(file, lines.join('\n'))
    const run = spawnSync(process.execPath, [BIN, 'verify', copy], { encoding: 'utf8' })
    fs.rmSync(copy, { recursive: true, force: true })
    expect(run.status).toBe(1)
    expect(run.stdout).toContain(`NOT INTACT: altered — stream cli, seq ${seq}, file ${active}, line 1`)
  })

  it('proves nothing on a directory without a ledger, or a stream directory given for the data dir', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-empty-'))
    await expect(verifyLocal(empty, {})).rejects.toThrow(/holds no ledger stream/)
    fs.rmSync(empty, { recursive: true })
    await expect(verifyLocal(path.join(dir, 'cli'), {})).rejects.toThrow(/give the data dir/)
  })

  it('refuses a --public-key file that holds no key, instead of calling every signature forged', async () => {
    const notKey = path.join(dir, 'not-a-key.pem')
    fs.writeFileSync(notKey, 'root:x:0:0:root:/root:/bin/bash\n')
    await expect(verifyLocal(dir, { publicKey: notKey })).rejects.toThrow(/--public-key .* is not a PEM public key/)
    fs.rmSync(notKey)
  })

  it('names a missing directory', async () => {
    await expect(verifyLocal(path.join(dir, 'nope'), {})).rejects.toThrow(/<dir>/)
  })
})

describe('export', () => {
  it('filters by user and time, NDJSON on stdout', async () => {
    const s = sink()
    const n = await exportLocal(dir, { user: 'odd', since: iso(5), until: iso(10) }, s.out)
    const records = s
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(n).toBe(records.length)
    expect(records.map((r) => r.seq)).toEqual([5, 7, 9])
  })

  it('refuses a window that ends before it starts, and a stream the ledger does not hold', async () => {
    await expect(exportLocal(dir, { since: '2026-02-01', until: '2026-01-01' }, sink().out)).rejects.toThrow(
      /--since .* is after --until/,
    )
    await expect(exportLocal(dir, { stream: 'nosuch' }, sink().out)).rejects.toThrow(/--stream nosuch: no such stream/)
    await expect(tailLocal(dir, { lines: '1', follow: false, stream: 'nosuch' }, sink().out)).rejects.toThrow(
      /--stream nosuch/,
    )
  })

  it('rejects a bad date naming the flag', async () => {
    await expect(exportLocal(dir, { since: 'yesterday-ish' })).rejects.toThrow(/--since/)
    // What Date.parse takes but means something else: a bare number (a year), a day a month does not have.
    await expect(exportLocal(dir, { since: '1' })).rejects.toThrow(/--since must be an ISO-8601 date/)
    await expect(exportLocal(dir, { until: '2026-02-30' })).rejects.toThrow(/--until must be an ISO-8601 date/)
  })

  it('writes an Elasticsearch bulk body: an index action keyed by record id, then the record with @timestamp', async () => {
    const s = sink()
    const n = await exportLocal(
      dir,
      { user: 'odd', since: iso(5), until: iso(10), format: 'es-bulk', index: 'llm-calls' },
      s.out,
    )
    const lines = s.text().split('\n')
    expect(lines.pop()).toBe('') // a bulk body ends with a newline
    expect(lines).toHaveLength(2 * n)
    for (let i = 0; i < lines.length; i += 2) {
      const action = JSON.parse(lines[i]!)
      const doc = JSON.parse(lines[i + 1]!)
      expect(action).toEqual({ index: { _index: 'llm-calls', _id: doc.id } })
      expect(doc['@timestamp']).toBe(doc.ts)
    }
    expect(lines.filter((_, i) => i % 2 === 1).map((l) => JSON.parse(l).seq)).toEqual([5, 7, 9])
  })

  it('writes Splunk HEC events: the record as the event, timed by its ts, in the index named if one was', async () => {
    const s = sink()
    const n = await exportLocal(dir, { user: 'odd', since: iso(5), until: iso(10), format: 'splunk-hec' }, s.out)
    const events = s
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(events).toHaveLength(n)
    for (const e of events) {
      expect(e).toMatchObject({ source: 'promptledger', sourcetype: 'promptledger:record' })
      expect(e.time).toBe(Date.parse(e.event.ts) / 1000)
      expect(e).not.toHaveProperty('index')
    }
    expect(events.map((e) => e.event.seq)).toEqual([5, 7, 9])
    const indexed = sink()
    await exportLocal(dir, { user: 'odd', format: 'splunk-hec', index: 'llm_calls' }, indexed.out)
    expect(JSON.parse(indexed.text().split('\n')[0]!).index).toBe('llm_calls')
  })

  it('rejects an unknown format or an index name Elasticsearch would refuse, naming the flag', async () => {
    await expect(exportLocal(dir, { format: 'csv' })).rejects.toThrow(/--format must be one of ndjson, es-bulk/)
    await expect(exportLocal(dir, { format: 'es-bulk', index: 'Calls' })).rejects.toThrow(/--index/)
  })
})

describe('tail', () => {
  it('prints the last records in the readable form, or JSON', async () => {
    const s = sink()
    await tailLocal(dir, { lines: '3', follow: false }, s.out)
    const lines = s.text().trim().split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[2]!.startsWith(`${iso(19)} cli#19`)).toBe(true)
    expect(lines[2]).toMatch(/ cli#19 ok m odd 5ms {2}question 19 x+… → answer 19$/)
    const j = sink()
    await tailLocal(dir, { lines: '1', follow: false, json: true }, j.out)
    expect(JSON.parse(j.text()).seq).toBe(19)
  })

  it('follows new records', async () => {
    const s = sink()
    const stop = new AbortController()
    const seen = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => s.text().includes(text) && resolve()
        s.out.on('data', check)
        check()
      })
    const done = tailLocal(dir, { lines: '1', follow: true }, s.out, stop.signal)
    await seen('cli#19') // the tail has read the ledger once: what comes next is new
    const ledger = createLedger({ dir, stream: 'cli', handleExit: false })
    ledger.log({ prompt: 'live one' })
    await ledger.close()
    await seen('live one')
    stop.abort()
    await done
    expect(s.text()).toContain('cli#20')
  })
})

describe('erase on a file ledger', () => {
  it("destroys the user's key: tail shows their records as erased, the others as written, and verify passes", async () => {
    const own = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-erase-'))
    try {
      const ledger = createLedger({ dir: own, stream: 'app', handleExit: false })
      ledger.log({ prompt: 'kept words', response: 'kept answer', userId: 'keep', model: 'm' })
      ledger.log({ prompt: 'gone words', response: 'gone answer', userId: 'gone', model: 'm' })
      await ledger.close()
      // A marker left by a collector that no longer answers (a live pid, nothing listening): erase works on the dir.
      fs.writeFileSync(
        path.join(own, 'collector.json'),
        JSON.stringify({ url: 'http://127.0.0.1:1', pid: process.pid, started: new Date().toISOString() }),
      )
      const run = spawnSync(process.execPath, [BIN, 'erase', '--user', 'gone', '--yes', '--data', own], {
        encoding: 'utf8',
      })
      expect(run.status).toBe(0)
      expect(run.stderr).toBe('')
      // No collector store in this dir: the ledger files' records of the user are counted.
      expect(run.stdout).toMatch(
        /^erased gone: data key [0-9a-f]{24} destroyed; 1 records in the ledger files \(and every copy of them, archives included\) now read as erased\n/,
      )
      const empty = spawnSync(process.execPath, [BIN, 'erase', '--user', ' ', '--yes', '--data', own], {
        encoding: 'utf8',
      })
      expect(empty.status).not.toBe(0)
      expect(empty.stderr).toContain('--user')
      const s = sink()
      await tailLocal(own, { lines: '5', follow: false }, s.out)
      const [kept, gone] = s.text().trim().split('\n')
      expect(kept).toMatch(/ app#0 ok m keep - {2}kept words → kept answer$/)
      expect(gone).toMatch(/ app#1 ok m gone - {2}\[erased\]$/)
      expect(await verifyLocal(own, {}, sink().out)).toBe(0)
    } finally {
      fs.rmSync(own, { recursive: true, force: true })
    }
  })
})
