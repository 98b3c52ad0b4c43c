import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import OpenAI from 'openai'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type FakeUpstream, startFakeOpenAI } from '../../../../test-support/fake-upstreams/index.js'
import { unsealedRecord } from '../../../sdk/src/test-support/records.js'
import { bin, spawnUntilBanner } from '../test-support/spawn-command.js'

let dir: string
let fake: FakeUpstream
beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pl-serve-'))
  fake = await startFakeOpenAI()
})
afterEach(async () => {
  await fake.close()
  rmSync(dir, { recursive: true, force: true })
})

/** `promptledger serve` with `args`; resolves once its banner is out (the lines so far, the URL) and how it exits. */
async function serve(args: string[], stderr: 'inherit' | 'pipe' = 'inherit') {
  const started = await spawnUntilBanner(
    ['serve', '--port', '0', '--data', dir, ...args],
    (line) => line.startsWith('  auth:'),
    stderr,
  )
  const url = /listening on (http:\/\/\S+)$/.exec(started.banner[0]!)?.[1]
  return { ...started, url: url! }
}

describe('promptledger serve', () => {
  it('says where the dashboard and the proxy are and what protects the data, and the proxy URL it prints works', async () => {
    const { proc, exited, banner, url } = await serve(['--openai-upstream', fake.url])
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(banner.slice(1)).toEqual([
        `  dashboard: ${url}/`,
        `  proxy: OPENAI_BASE_URL=${url}/proxy/openai/v1 (to ${fake.url})`,
        `         ANTHROPIC_BASE_URL=${url}/proxy/anthropic (to https://api.anthropic.com)`,
        `  data: ${path.join(dir, 'ledger.db')}`,
        expect.stringMatching(/^ {2}stream: \S+$/),
        '  server-side redaction: on',
        '  encryption at rest: on (a data key per user)',
        expect.stringMatching(/^ {2}auth: no API keys configured: serving loopback clients only/),
      ])
      const baseURL = /OPENAI_BASE_URL=(\S+)/.exec(banner[2]!)![1]!
      const client = new OpenAI({ apiKey: 'sk-test-banner-0123456789', baseURL, maxRetries: 0 })
      const reply = await client.chat.completions.create({
        model: 'fake-echo',
        messages: [{ role: 'user', content: 'hi' }],
      })
      expect(reply.choices[0]?.message.content).toBe('hi')
      expect((await fetch(`${url}/`)).status).toBe(200)
    } finally {
      proc.kill('SIGTERM')
    }
    // A graceful stop on SIGTERM.
    expect(await exited).toBe(0)
  })

  it('names a port another process holds, and the flag to choose another', async () => {
    const { proc, exited, url } = await serve([])
    try {
      const port = new URL(url).port
      const second = spawnSync(process.execPath, [bin, 'serve', '--port', port, '--data', `${dir}-second`], {
        encoding: 'utf8',
        env: { PATH: process.env['PATH'] ?? '' },
        timeout: 30_000,
      })
      expect(second.status).toBe(1)
      expect(second.stderr).toContain(
        `127.0.0.1:${port} is taken (a collector already running?): choose another with --port`,
      )
    } finally {
      proc.kill('SIGTERM')
      rmSync(`${dir}-second`, { recursive: true, force: true })
    }
    expect(await exited).toBe(0)
  })

  it('leaves a marker while it runs, through which `erase` on its data dir goes; the marker goes when it stops', async () => {
    const { proc, exited, url } = await serve([])
    try {
      expect(JSON.parse(readFileSync(path.join(dir, 'collector.json'), 'utf8'))).toMatchObject({ url, pid: proc.pid })
      const record = unsealedRecord({ user_id: 'zed', response: { model: 'm', output: 'capybaramarimba' } })
      const posted = await fetch(`${url}/v1/records`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([record]),
      })
      expect(posted.status).toBe(200)
      const run = spawnSync(process.execPath, [bin, 'erase', '--user', 'zed', '--yes', '--data', dir], {
        encoding: 'utf8',
        env: { PATH: process.env['PATH'] ?? '' },
      })
      expect(run.stderr).toBe(`erasing through the collector running on ${dir} (${url})\n`)
      expect(run.stdout).toMatch(/^erased zed: data key [0-9a-f]{24} destroyed; 1 stored records now read as erased\n/)
      const found = (await (await fetch(`${url}/v1/records?q=capybaramarimba`)).json()) as { records: unknown[] }
      expect(found.records).toEqual([])
      // The collector did it, as the API's erasure: audited there with its route.
      const audit = (await (await fetch(`${url}/v1/audit?action=erasure`)).json()) as {
        entries: Array<{ route: string }>
      }
      expect(audit.entries.map((e) => e.route)).toEqual(['POST /v1/erasure'])
    } finally {
      proc.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
    expect(existsSync(path.join(dir, 'collector.json'))).toBe(false)
  })

  it('asks for an admin key when the collector running on the data dir requires keys', async () => {
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } })
    const admin = cli('keys', 'create', '--role', 'admin', '--name', 'dpo', '--data', dir).stdout.trim()
    const { proc, exited, url } = await serve([])
    try {
      const refused = cli('erase', '--user', 'zed', '--yes', '--data', dir)
      expect(refused.status).not.toBe(0)
      expect(refused.stderr).toContain(
        `a collector is running on ${dir} at ${url} and erasure must go through it: pass an admin key (--api-key or PROMPTLEDGER_API_KEY)`,
      )
      expect(refused.stderr).not.toContain(admin)
      const done = cli('erase', '--user', 'zed', '--yes', '--data', dir, '--api-key', admin)
      expect(done.status).toBe(0)
      expect(done.stdout).toMatch(/^no data key for zed: /)
    } finally {
      proc.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
  })

  it('logs JSON lines on stderr at --log-level, without the API key a request carried', async () => {
    const { proc, url } = await serve(['--log-level', 'info'], 'pipe')
    let stderr = ''
    proc.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString()
    })
    try {
      const secret = 'sk-test-never-logged-0123456789'
      expect(
        (await fetch(`${url}/v1/records?limit=1`, { headers: { authorization: `Bearer ${secret}` } })).status,
      ).toBe(200)
      while (!stderr.includes('request completed')) await new Promise((r) => setTimeout(r, 20))
      const lines = stderr
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { level: number; msg: string })
      expect(lines.some((l) => l.msg === 'request completed' && l.level === 30)).toBe(true)
      expect(stderr).not.toContain(secret)
    } finally {
      proc.kill('SIGTERM')
    }
  })
})
