import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import OpenAI from 'openai'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type FakeUpstream, startFakeOpenAI } from '../../../../test-support/fake-upstreams/index.js'

// Runs the built bin (`npm run build` first), as a user would.
const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/promptledger.js')

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

describe('promptledger serve', () => {
  it('says where the dashboard and the proxy are and what protects the data, and the proxy URL it prints works', async () => {
    const proc = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data', dir, '--openai-upstream', fake.url], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { PATH: process.env['PATH'] ?? '' },
    })
    const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve))
    try {
      const banner: string[] = []
      const lines = createInterface({ input: proc.stdout! })
      await new Promise<void>((resolve, reject) => {
        proc.once('exit', (code) => reject(new Error(`serve exited (${code}) before its banner`)))
        lines.on('line', (line) => {
          banner.push(line)
          if (line.startsWith('  auth:')) resolve()
        })
      })
      const url = /listening on (http:\/\/\S+)$/.exec(banner[0]!)?.[1]
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

  it('logs JSON lines on stderr at --log-level, without the API key a request carried', async () => {
    const proc = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data', dir, '--log-level', 'info'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '' },
    })
    let stderr = ''
    proc.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString()
    })
    try {
      const url = await new Promise<string>((resolve, reject) => {
        proc.once('exit', (code) => reject(new Error(`serve exited (${code}) before listening`)))
        createInterface({ input: proc.stdout! }).on('line', (line) => {
          const m = /listening on (http:\/\/\S+)$/.exec(line)
          if (m) resolve(m[1]!)
        })
      })
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
