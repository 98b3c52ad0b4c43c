import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig, startServer } from '@promptledger/server'
import { afterAll, expect, it } from 'vitest'

// Runs the built bin (`npm run build` first), as a user would.
const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/promptledger.js')
const dir = mkdtempSync(path.join(os.tmpdir(), 'pl-demo-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Raw values from the demo's prompts: none may be stored anywhere, in any form the data dir keeps. */
const RAW = ['Maria Lopez', '4111 1111 1111 1111', 'jonas.berg@example.com', 'sk-proj-Zx8vQ2mN4pL7rT1yU6wE3aS9dF0gH5jK']

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true })
    .map((f) => path.join(root, String(f)))
    .filter((f) => statSync(f).isFile())
}

it('sends its calls through a real collector and proxy, and stores them redacted, sealed and searchable', async () => {
  const data = path.join(dir, 'demo')
  const run = spawnSync(process.execPath, [bin, 'demo', '--calls', '40', '--port', '0', '--data', data, '--exit'], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '' },
    timeout: 60_000,
  })
  expect(run.status).toBe(0)
  expect(run.stdout).toMatch(/^promptledger collector listening on http:\/\/127\.0\.0\.1:\d+$/m)
  expect(run.stdout).toMatch(/^sent 40 calls through the proxy \(\d+ answered with an error, as providers do\);$/m)
  expect(run.stdout).toMatch(/^40 records stored, personal data and keys redacted\. Try:$/m)
  // The commands it suggests are ones the CLI takes.
  for (const line of run.stdout.split('\n').filter((l) => l.startsWith('  promptledger '))) {
    const args = line.trim().split(/\s+/).slice(1)
    const help = spawnSync(process.execPath, [bin, ...args, '--help'], {
      encoding: 'utf8',
    })
    expect(help.status, line).toBe(0)
    for (const flag of args.filter((a) => a.startsWith('--'))) expect(help.stdout, line).toContain(flag)
  }
  for (const file of filesUnder(data)) {
    const bytes = readFileSync(file, 'latin1')
    for (const raw of RAW) expect(bytes.includes(raw), `${raw} in ${file}`).toBe(false)
  }
  // The same data dir, served again: what the demo left is what a user then browses.
  const server = await startServer(loadConfig({ flags: { port: 0, data }, env: {} }))
  try {
    const page = (await (await fetch(`${server.url}/v1/records?limit=100`)).json()) as { records: unknown[] }
    expect(page.records).toHaveLength(40)
    const text = JSON.stringify(page.records)
    for (const raw of RAW) expect(text).not.toContain(raw)
    for (const token of ['<PERSON>', '<CREDIT_CARD>', '<EMAIL_ADDRESS>', '<SECRET>']) expect(text).toContain(token)
    const found = (await (await fetch(`${server.url}/v1/records?q=refund`)).json()) as { records: unknown[] }
    expect(found.records.length).toBeGreaterThan(0)
    const verified = (await (await fetch(`${server.url}/v1/verify`)).json()) as { ok: boolean }
    expect(verified.ok).toBe(true)
  } finally {
    await server.close()
  }
})

it('takes a free port when the default one is held (by a collector already running, most often)', async () => {
  const holder = createServer()
  await new Promise<void>((resolve) => {
    // Held by this test, or by something else already: either way the demo cannot have 7420.
    holder.once('error', () => resolve())
    holder.listen(7420, '127.0.0.1', resolve)
  })
  try {
    const run = spawnSync(process.execPath, [bin, 'demo', '--calls', '3', '--data', path.join(dir, 'busy'), '--exit'], {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '' },
      timeout: 60_000,
    })
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('port 7420 is taken (a collector already running?): the demo takes a free one')
    expect(run.stdout).toMatch(/^promptledger collector listening on http:\/\/127\.0\.0\.1:(?!7420)\d+$/m)
  } finally {
    await new Promise((resolve) => holder.close(resolve))
  }
})

it('refuses a bad --calls naming the flag', () => {
  const run = spawnSync(process.execPath, [bin, 'demo', '--calls', 'lots', '--port', '0', '--data', dir, '--exit'], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '' },
  })
  expect(run.status).not.toBe(0)
  expect(run.stderr).toContain('--calls must be an integer')
})
