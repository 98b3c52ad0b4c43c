import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { loadConfig, startServer } from '@promptledger/server'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { unsealedRecord } from '../../../sdk/src/test-support/records.js'

// Runs the built bin (`npm run build` first), as a user would, against real data dirs.
const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/promptledger.js')
const run = promisify(execFile)
const cli = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { PATH: process.env['PATH'] ?? '' } })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pl-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const record = (user: string, text: string, ts = new Date().toISOString()) =>
  unsealedRecord({
    ts,
    latency_ms: 5,
    request: { model: 'm', messages: [{ role: 'user', content: text }] },
    response: { model: 'm', output: text },
    usage: { input_tokens: 1, output_tokens: 1 },
    cost_usd: 0,
    user_id: user,
  })

/** Fills a collector data dir through the real server (keyless loopback mode), then stops it. */
async function seed(records: unknown[]) {
  const server = await startServer(loadConfig({ flags: { port: 0, data: dir }, env: {} }))
  const res = await fetch(`${server.url}/v1/records`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(records),
  })
  expect(res.status).toBe(200)
  await server.close()
}

const grep = (needle: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && readFileSync(path.join(e.parentPath, e.name)).includes(Buffer.from(needle)))
    .map((e) => e.name)

describe('keys, audit, erase, retention commands', () => {
  it('creates, lists and revokes keys; every act lands in a verifiable audit trail', async () => {
    const created = await cli('keys', 'create', '--role', 'auditor', '--name', 'compliance', '--data', dir, '--json')
    expect(created.code).toBe(0)
    const { key, id } = JSON.parse(created.stdout)
    expect(key).toMatch(/^pl_aud_/)
    expect((await cli('keys', 'list', '--data', dir)).stdout).toContain(`${id}  auditor`)
    expect((await cli('keys', 'list', '--data', dir)).stdout).not.toContain(key)
    expect((await cli('keys', 'create', '--role', 'root', '--name', 'x', '--data', dir)).stderr).toMatch(
      /--role must be one of/,
    )
    expect((await cli('keys', 'revoke', 'compliance', '--data', dir)).stdout).toContain(`revoked ${id}`)
    const trail = await cli('audit', '--data', dir, '--json')
    expect(JSON.parse(trail.stdout).map((e: { action: string }) => e.action)).toEqual(['key.create', 'key.revoke'])
    expect((await cli('audit', '--verify', '--data', dir)).stdout).toMatch(/audit trail OK: 2 entries/)
  })

  it('reads a data dir without an audit trail as such, without creating one, and will not verify it', async () => {
    const shown = await cli('audit', '--data', dir)
    expect(shown).toMatchObject({ code: 0, stdout: '' })
    expect(shown.stderr).toContain('holds no audit trail')
    expect(await cli('audit', '--data', dir, '--json')).toMatchObject({ code: 0, stdout: '[]\n' })
    const verified = await cli('audit', '--verify', '--data', dir)
    expect(verified.code).toBe(1)
    expect(verified.stderr).toContain('holds no audit trail')
    expect(readdirSync(dir)).toEqual([])
    // A trail with entries, none of the action asked for: said on stderr, stdout stays empty.
    await cli('keys', 'create', '--role', 'viewer', '--name', 'v', '--data', dir)
    const none = await cli('audit', '--data', dir, '--action', 'erasure')
    expect(none).toMatchObject({ code: 0, stdout: '' })
    expect(none.stderr).toContain('no audit entries with action erasure')
  })

  it('erases a user on the data dir, rotates the master key, and applies retention', async () => {
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString()
    await seed([record('bob', 'oldbob', old), record('alice', 'kiwiflamingo'), record('bob', 'bananaheron')])
    expect(grep('kiwiflamingo').length).toBeGreaterThan(0) // the search index holds it until erasure
    expect((await cli('erase', '--user', 'alice', '--data', dir)).stderr).toMatch(/--yes/)
    const erased = await cli('erase', '--user', 'alice', '--yes', '--data', dir, '--json')
    expect(JSON.parse(erased.stdout)).toMatchObject({ user_id: 'alice', records: 1 })
    expect(Date.parse(JSON.parse(erased.stdout).erased_at)).toBeLessThanOrEqual(Date.now())
    // A user with nothing encrypted yet: the erasure is recorded all the same, for records still on their way.
    const none = await cli('erase', '--user', 'nobody-yet', '--yes', '--data', dir)
    expect(none.stdout).toMatch(
      /^no data key for nobody-yet: .*\nrecords of nobody-yet begun by \d{4}-.*Z that arrive later read as erased too\n$/,
    )
    expect(grep('kiwiflamingo')).toEqual([])

    // Only bob's key is left to re-wrap: alice's was destroyed.
    const rotated = await cli('keys', 'rotate', '--data', dir)
    expect(rotated.stdout).toMatch(/re-wrapped 1 data keys under master key [0-9a-f]{16}/)

    expect((await cli('retention', '--dry-run', '--data', dir)).stdout).toMatch(/dry run: 1 records older than/)
    expect((await cli('retention', '--archive', '--data', dir)).stdout).toMatch(/deleted 1 records/)
    const actions = JSON.parse((await cli('audit', '--data', dir, '--json')).stdout).map(
      (e: { action: string }) => e.action,
    )
    // The first entry is the server's scheduled retention run at start (nothing was old yet).
    expect(actions).toEqual(['retention.run', 'erasure', 'erasure', 'key.rotate', 'retention.dry-run', 'retention.run'])

    // After rotation the server still reads bob in clear and alice as erased.
    const server = await startServer(loadConfig({ flags: { port: 0, data: dir }, env: {} }))
    // biome-ignore lint/suspicious/noExplicitAny: records read field by field
    const page = (await (await fetch(`${server.url}/v1/records`)).json()) as { records: Array<Record<string, any>> }
    const verify = (await (await fetch(`${server.url}/v1/verify`)).json()) as { ok: boolean }
    await server.close()
    expect(verify.ok).toBe(true) // the chain resumes at the retention anchor
    expect(page.records.find((r) => r.user_id === 'bob')?.response.output).toBe('bananaheron')
    expect(page.records.find((r) => r.user_id === 'alice')?.erased).toBe(true)
  })
})
