import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FakeUpstream, startFakeOpenAI } from '../../../../test-support/fake-upstreams/index.js'

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..')
const bin = join(root, 'packages/cli/bin/promptledger.js')
const built = existsSync(join(root, 'packages/cli/dist/main.js'))
const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()
if (!hasOpenssl && process.env.CI)
  throw new Error('the HTTPS upstream test needs the openssl command (Debian: openssl)')
if (!hasOpenssl) console.warn('SKIPPED: the HTTPS upstream test needs the openssl command to make its certificates')

const dir = mkdtempSync(join(tmpdir(), 'pl-'))
const running = new Set<ChildProcess>()
let fake: FakeUpstream
let caFile: string

/**
 * A private CA and a certificate for 127.0.0.1 signed by it, as a company's internal gateway would have: the
 * collector trusts it only through NODE_EXTRA_CA_CERTS.
 */
function makeCertificates(): { key: string; cert: string; ca: string } {
  const f = (name: string) => join(dir, name)
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' })
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=promptledger test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  )
  ssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    f('upstream.key'),
    '-out',
    f('upstream.csr'),
  )
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n')
  ssl(
    'x509',
    '-req',
    '-in',
    f('upstream.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('ext.cnf'),
    '-out',
    f('upstream.pem'),
  )
  return {
    key: readFileSync(f('upstream.key'), 'utf8'),
    cert: readFileSync(f('upstream.pem'), 'utf8'),
    ca: f('ca.pem'),
  }
}

/** `promptledger serve` proxying to the HTTPS fake; resolves with its URL once it listens. */
function startCollector(name: string, env: NodeJS.ProcessEnv): Promise<string> {
  const proc = spawn(
    process.execPath,
    [bin, 'serve', '--port', '0', '--data', join(dir, name), '--openai-upstream', fake.url],
    { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'], env },
  )
  running.add(proc)
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: proc.stdout! })
    proc.once('exit', (code) => reject(new Error(`collector exited (${code}) before listening`)))
    lines.on('line', (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line)
      if (m) resolvePromise(m[1]!)
    })
  })
}

beforeAll(async () => {
  if (!built || !hasOpenssl) return
  const { key, cert, ca } = makeCertificates()
  caFile = ca
  fake = await startFakeOpenAI({ tls: { key, cert } })
})

afterAll(async () => {
  for (const p of running) p.kill('SIGKILL')
  await fake?.close()
  rmSync(dir, { recursive: true, force: true })
})

const env = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
  const { NODE_EXTRA_CA_CERTS: _, ...rest } = process.env
  return { ...rest, ...extra }
}

describe.skipIf(!built || !hasOpenssl)('proxy to an HTTPS upstream (run `npm run build` first)', () => {
  it('forwards over TLS to an upstream whose CA the collector trusts, streamed and not, and stores the calls', async () => {
    const url = await startCollector('trusted', env({ NODE_EXTRA_CA_CERTS: caFile }))
    const client = new OpenAI({ apiKey: 'sk-test-https-0123456789', baseURL: `${url}/proxy/openai/v1`, maxRetries: 0 })
    const before = fake.requests.length
    const reply = await client.chat.completions.create({
      model: 'fake-echo',
      messages: [{ role: 'user', content: 'over tls, mail ana.lopez@example.com' }],
    })
    expect(reply.choices[0]?.message.content).toBe('over tls, mail ana.lopez@example.com')
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'stream over tls' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    expect(text.length).toBeGreaterThan(0)
    expect(fake.requests.length - before).toBe(2)
    // Both calls are recorded (the proxy hands records to the store within its batch window).
    let records: Array<{ model: string; request: unknown }> = []
    for (let i = 0; i < 100 && records.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50))
      const page = (await (await fetch(`${url}/v1/records?limit=10`)).json()) as { records: typeof records }
      records = page.records
    }
    expect(records).toHaveLength(2)
    expect(JSON.stringify(records)).not.toContain('ana.lopez@example.com')
  })

  it('refuses an upstream whose certificate it cannot verify: 502 in the provider error shape, nothing sent', async () => {
    const url = await startCollector('untrusted', env({}))
    const client = new OpenAI({ apiKey: 'sk-test-https-0123456789', baseURL: `${url}/proxy/openai/v1`, maxRetries: 0 })
    const before = fake.requests.length
    const err = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => null,
        (e: unknown) => e,
      )
    expect(err).toBeInstanceOf(OpenAI.APIError)
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(502)
    expect((err as Error).message).toMatch(/certificate/i)
    expect((err as Error).message).not.toContain('sk-test-https')
    expect(fake.requests.length).toBe(before)
    // The failed call is on record, as an upstream error.
    let records: Array<{ status: string; error: { type: string; http_status: number } | null }> = []
    for (let i = 0; i < 100 && records.length < 1; i++) {
      await new Promise((r) => setTimeout(r, 50))
      records = ((await (await fetch(`${url}/v1/records?limit=10`)).json()) as { records: typeof records }).records
    }
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ status: 'error', error: { http_status: 502 } })
  })
})
