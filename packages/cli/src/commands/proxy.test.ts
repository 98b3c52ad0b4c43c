import { type ChildProcess, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { readRecords, verifyLedger } from '@promptledger/sdk'
import { loadConfig, startServer } from '@promptledger/server'
import OpenAI from 'openai'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type FakeUpstream, startFakeOpenAI } from '../../../../test-support/fake-upstreams/index.js'
import { bin, spawnUntilBanner } from '../test-support/spawn-command.js'

let dir: string
let fake: FakeUpstream
const procs: ChildProcess[] = []
beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pl-proxy-'))
  fake = await startFakeOpenAI()
})
afterEach(async () => {
  for (const p of procs.splice(0)) p.kill('SIGKILL')
  await fake.close()
  rmSync(dir, { recursive: true, force: true })
})

/** `promptledger proxy` with `args`; resolves once its banner is out, with the base URL it prints and how it exits. */
async function proxy(args: string[]) {
  const last = args.includes('--collector') ? '  collector:' : '  records:'
  const started = await spawnUntilBanner(
    ['proxy', '--port', '0', '--data', path.join(dir, 'ledger'), '--openai-upstream', fake.url, ...args],
    (line) => line.startsWith(last),
  )
  procs.push(started.proc)
  const baseURL = /OPENAI_BASE_URL=(\S+)/.exec(started.banner[1]!)![1]!
  return { ...started, baseURL, origin: new URL(baseURL).origin }
}

/** One chat call and one streamed call through the official client, as an app would make them. */
async function twoCalls(baseURL: string): Promise<void> {
  const client = new OpenAI({ apiKey: 'sk-test-proxy-0123456789abcdef', baseURL, maxRetries: 0 })
  const reply = await client.chat.completions.create({
    model: 'fake-echo',
    messages: [{ role: 'user', content: 'I am Ana Lopez, mail ana.lopez@example.com' }],
  })
  expect(reply.choices[0]?.message.content).toBe('I am Ana Lopez, mail ana.lopez@example.com')
  const stream = await client.chat.completions.create({
    model: 'fake-echo',
    messages: [{ role: 'user', content: 'stream me please' }],
    stream: true,
  })
  let text = ''
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ''
  expect(text).toBe('stream me please')
}

/** Every file under `root` holding `needle`. */
function holding(root: string, needle: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && readFileSync(path.join(e.parentPath, e.name)).includes(needle))
    .map((e) => e.name)
}

/** A raw request with a chosen Host header (fetch drops one). */
function rawRequest(origin: string, pathName: string, host: string): Promise<{ status: number; body: string }> {
  const url = new URL(origin)
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: pathName, method: 'POST', headers: { host } })
    req.on('response', (res) => {
      let body = ''
      res.on('data', (d: Buffer) => {
        body += d.toString()
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end('{}')
  })
}

describe('promptledger proxy', () => {
  it('forwards calls and streams as they are, and writes each call redacted into its file ledger by the time it exits', async () => {
    const { proc, exited, banner, baseURL } = await proxy([])
    expect(banner[0]).toMatch(/^promptledger proxy listening on http:\/\/127\.0\.0\.1:\d+$/)
    expect(banner[3]).toMatch(/records: file ledger in .*, redaction on, encryption on$/)
    await twoCalls(baseURL)
    proc.kill('SIGTERM')
    expect(await exited).toBe(0)
    const ledger = path.join(dir, 'ledger')
    const records = []
    for await (const r of readRecords(ledger)) records.push(r)
    expect(records.map((r) => [r.request.model, r.status, r.redactions])).toEqual([
      ['fake-echo', 'ok', { EMAIL_ADDRESS: 2, PERSON: 2 }], // the prompt, and the fake's echo of it
      ['fake-echo', 'ok', {}],
    ])
    expect(records[1]?.ttft_ms).toEqual(expect.any(Number))
    expect((await verifyLedger(ledger)).ok).toBe(true)
    // Nothing of the person or the provider key reached the disk.
    expect(holding(ledger, 'ana.lopez@example.com')).toEqual([])
    expect(holding(ledger, 'sk-test-proxy-0123456789abcdef')).toEqual([])
  })

  it('sends every record on to a collector too', async () => {
    const collector = await startServer(
      loadConfig({ flags: { port: 0, host: '127.0.0.1', data: path.join(dir, 'collector') }, env: {} }),
    )
    try {
      const { proc, exited, baseURL } = await proxy(['--collector', collector.url])
      await twoCalls(baseURL)
      proc.kill('SIGTERM')
      expect(await exited).toBe(0)
      const page = (await (await fetch(`${collector.url}/v1/records?limit=10`)).json()) as {
        records: Array<{ request: { model: string } }>
      }
      expect(page.records.map((r) => r.request.model)).toEqual(['fake-echo', 'fake-echo'])
    } finally {
      await collector.close()
    }
  })

  it('serves loopback host names only, answers other routes with a JSON 404, and refuses a non-loopback --host', async () => {
    const { proc, exited, origin } = await proxy([])
    const rebound = await rawRequest(origin, '/proxy/openai/v1/chat/completions', 'evil.example.com')
    expect(rebound.status).toBe(401)
    expect(JSON.parse(rebound.body).error.message).toMatch(/loopback host name/)
    const other = await fetch(`${origin}/v1/records`)
    expect(other.status).toBe(404)
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND')
    expect((await fetch(`${origin}/healthz`)).status).toBe(200)
    proc.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(fake.requests).toHaveLength(0) // nothing refused was forwarded

    const wide = spawnSync(process.execPath, [bin, 'proxy', '--host', '0.0.0.0', '--data', dir], { encoding: 'utf8' })
    expect(wide.status).toBe(2)
    expect(wide.stderr).toContain('--host 0.0.0.0')
    expect(wide.stderr).toContain('promptledger serve')
    const badUrl = spawnSync(process.execPath, [bin, 'proxy', '--collector', 'nope', '--data', dir], {
      encoding: 'utf8',
    })
    expect(badUrl.status).toBe(2)
    expect(badUrl.stderr).toContain('--collector must be an http(s) URL')
  })
})
