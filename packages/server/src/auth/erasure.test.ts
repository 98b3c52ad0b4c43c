import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { DataKeyStore, Encryptor, LocalKeyringProvider } from '@promptledger/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../config.js'
import { type RunningServer, startServer } from '../start-server.js'
import { unsealed } from '../test-support/records.js'
import { ApiKeyStore } from './api-key-store.js'

// Distinctive words that no recognizer treats as personal data, so they reach the store as written.
const ALICE = ['quokkamarmalade', 'zeppelinorchid', 'tangerinewombat', 'gooseberrycathedral', 'walrusconcerto']
const BOB = 'pelicanharmonica'
const CAROL = ['armadillosonata', 'marzipanlighthouse']

let dir: string
let server: RunningServer
let admin: string
let ingest: string
let auditor: string

/** Every file under the data dir, recursively (SQLite file, WAL, SHM, keyring, archives, audit). */
function allFiles(root: string): string[] {
  return readdirSync(root, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? allFiles(path.join(root, e.name)) : [path.join(root, e.name)],
  )
}

function findInDataDir(needles: string[]): string[] {
  const hits: string[] = []
  for (const file of allFiles(dir)) {
    const raw = readFileSync(file)
    // Archives are searched inflated too: compression would hide plaintext from a byte search.
    const bytes = file.endsWith('.gz') ? Buffer.concat([raw, gunzipSync(raw)]) : raw
    for (const needle of needles) {
      // Both encodings SQLite or JSON could use: UTF-8 and UTF-16LE.
      if (bytes.includes(Buffer.from(needle)) || bytes.includes(Buffer.from(needle, 'utf16le'))) {
        hits.push(`${path.relative(dir, file)}: ${needle}`)
      }
    }
  }
  return hits
}

const api = async (method: string, url: string, key: string, body?: unknown) => {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  })
  // biome-ignore lint/suspicious/noExplicitAny: API answers of several shapes, read field by field
  return { status: res.status, json: (await res.json()) as Record<string, any> }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pl-'))
  const keys = ApiKeyStore.open({ dir })
  admin = keys.create({ role: 'admin', name: 'dpo' }).key
  ingest = keys.create({ role: 'ingest', name: 'app' }).key
  auditor = keys.create({ role: 'auditor', name: 'audit' }).key
  keys.close()
  server = await startServer(
    loadConfig({
      flags: { port: 0, data: dir, config: 'promptledger.json' },
      env: {},
      readFile: () => JSON.stringify({ retention: { maxAgeDays: 30, archive: true, intervalMinutes: 0 } }),
    }),
  )
})

afterAll(async () => {
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('erasure by key deletion', () => {
  it('leaves no trace of the erased user in the data dir; verify passes; others read normally', async () => {
    const aliceRecord = (i: number, ts = new Date().toISOString()) =>
      unsealed({
        ts,
        user_id: 'alice',
        request: { model: 'gpt-4o', messages: [{ role: 'user', content: `tell me about ${ALICE[0]} ${i}` }] },
        response: {
          model: 'gpt-4o',
          output: `${ALICE[1]} is lovely`,
          tool_calls: [{ id: 't', type: 'function', name: 'lookup', arguments: `{"q":"${ALICE[2]}"}` }],
        },
        status: 'error',
        error: { type: 'x', message: `failed near ${ALICE[3]}`, http_status: 500 },
        metadata: { note: ALICE[4], attempt: i },
      })
    const bobRecord = unsealed({ user_id: 'bob', response: { model: 'gpt-4o', output: `${BOB} sings` } })

    // Old records first: retention archives them (sealed gzip) and removes them from the store.
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString()
    expect((await api('POST', '/v1/records', ingest, [aliceRecord(0, old)])).json).toMatchObject({ accepted: 1 })
    const retention = await api('POST', '/v1/retention/run', admin)
    expect(retention.json).toMatchObject({ deleted: 1, archive: { count: 1 } })
    const posted = await api('POST', '/v1/records', ingest, [aliceRecord(1), bobRecord, aliceRecord(2)])
    expect(posted.json).toMatchObject({ accepted: 3 })

    // Authorised readers see plaintext, and full-text search works over encrypted content.
    const found = await api('GET', `/v1/records?q=${ALICE[0]}`, admin)
    expect(found.json.records).toHaveLength(2)
    expect(JSON.stringify(found.json.records)).toContain(ALICE[4])
    // Before erasure, only the search index holds plaintext (the archive holds ciphertext).
    expect(findInDataDir(ALICE).length).toBeGreaterThan(0)
    expect(findInDataDir(ALICE).filter((hit) => !hit.startsWith('ledger.db'))).toEqual([])
    expect(allFiles(dir).some((f) => f.endsWith('.ndjson.gz'))).toBe(true)

    const erased = await api('POST', '/v1/erasure', admin, { user_id: 'alice' })
    expect(erased.json).toMatchObject({ user_id: 'alice', records: 2 })
    expect(erased.json.key_ids).toEqual([expect.stringMatching(/^[0-9a-f]{24}$/)])

    expect(findInDataDir([...ALICE])).toEqual([])
    expect(findInDataDir([BOB]).length).toBeGreaterThan(0)

    const verify = await api('GET', '/v1/verify', auditor)
    expect(verify.json.ok).toBe(true)

    const list = await api('GET', '/v1/records?limit=10', auditor)
    const alice = list.json.records.filter((r: { user_id: string }) => r.user_id === 'alice')
    expect(alice).toHaveLength(2)
    for (const r of alice) {
      expect(r).toMatchObject({
        erased: true,
        usage: { input_tokens: 10 },
        cost_usd: 0.001,
        error: { message: '[erased]' },
      })
      expect(r.request.messages).toBeUndefined()
    }
    const bob = list.json.records.find((r: { user_id: string }) => r.user_id === 'bob')
    expect(bob.response.output).toBe(`${BOB} sings`)
    expect((await api('GET', `/v1/records?q=${ALICE[0]}`, admin)).json.records).toEqual([])

    const exported = await api('GET', '/v1/subjects/bob/export', auditor)
    expect(exported.json).toMatchObject({ subject: 'bob', count: 1 })
    expect(exported.json.records[0].response.output).toBe(`${BOB} sings`)

    const trail = await api('GET', '/v1/audit', auditor)
    const actions = trail.json.entries.map((e: { action: string; actor_name: string }) => `${e.action}:${e.actor_name}`)
    expect(actions).toEqual(
      expect.arrayContaining(['retention.run:dpo', 'read:dpo', 'erasure:dpo', 'read:audit', 'subject.export:audit']),
    )
    expect((await api('GET', '/v1/audit/verify', auditor)).json.ok).toBe(true)
    for (const file of ['keyring.json', 'data-keys.json', 'auth.db', 'audit.db']) {
      expect(statSync(path.join(dir, file)).mode & 0o777).toBe(0o600)
    }
  })

  it('covers records captured before the erasure that arrive after it (an SDK delivering late); later ones read', async () => {
    const carolRecord = (word: string, ts: string) =>
      unsealed({ ts, user_id: 'carol', response: { model: 'gpt-4o', output: `${word} for carol` } })
    const capturedBefore = new Date(Date.now() - 60_000).toISOString()
    expect((await api('POST', '/v1/records', ingest, [carolRecord('early', capturedBefore)])).json.accepted).toBe(1)
    const erased = await api('POST', '/v1/erasure', admin, { user_id: 'carol' })
    expect(erased.json).toMatchObject({ user_id: 'carol', records: 1 })
    expect(Date.parse(erased.json.erased_at)).toBeGreaterThan(Date.parse(capturedBefore))

    // Captured a minute before the erasure, delivered after it; then a call made after the erasure.
    const late = carolRecord(CAROL[0]!, capturedBefore)
    const after = carolRecord(CAROL[1]!, new Date(Date.now() + 1000).toISOString())
    expect((await api('POST', '/v1/records', ingest, [late, after])).json).toMatchObject({ accepted: 2 })

    const read = async (id: string) => (await api('GET', `/v1/records/${id}`, admin)).json
    expect(await read(late.id)).toMatchObject({ erased: true, user_id: 'carol' })
    expect((await read(late.id)).enc.key_id).toBe(erased.json.key_ids[0])
    expect((await read(after.id)).response.output).toBe(`${CAROL[1]} for carol`)
    expect((await api('GET', `/v1/records?q=${CAROL[0]}`, admin)).json.records).toEqual([])
    expect((await api('GET', `/v1/records?q=${CAROL[1]}`, admin)).json.records).toHaveLength(1)
    // Nothing of the late record's plaintext is on disk; the later one is, in the search index.
    expect(findInDataDir([CAROL[0]!])).toEqual([])
    expect(findInDataDir([CAROL[1]!]).every((hit) => hit.startsWith('ledger.db'))).toBe(true)
    expect((await api('GET', '/v1/verify', auditor)).json.ok).toBe(true)
  })
})

describe('records it cannot open', () => {
  it('serves a record encrypted under keys it does not hold as unreadable, and the rest of the page as usual', async () => {
    const otherDir = mkdtempSync(path.join(os.tmpdir(), 'pl-other-'))
    const other = new Encryptor({
      keys: DataKeyStore.open({ dir: otherDir, provider: LocalKeyringProvider.open({ dir: otherDir }) }),
    })
    // As `promptledger import` sends a file ledger encrypted in another data dir.
    const foreign = other.encryptRecord(
      unsealed({ user_id: 'dora', response: { model: 'gpt-4o', output: 'flamingoquartet' } }),
    )
    rmSync(otherDir, { recursive: true, force: true })
    const own = unsealed({ user_id: 'dora', response: { model: 'gpt-4o', output: 'own words' } })
    expect((await api('POST', '/v1/records', ingest, [foreign, own])).json).toMatchObject({ accepted: 2 })
    const page = await api('GET', '/v1/records?user_id=dora&limit=10', admin)
    expect(page.status).toBe(200)
    const byId = new Map(page.json.records.map((r: { id: string }) => [r.id, r]))
    expect(byId.get(foreign.id)).toMatchObject({ unreadable: 'KEY_NOT_FOUND', enc: { key_id: foreign.enc!.key_id } })
    expect(byId.get(own.id)).toMatchObject({ response: { output: 'own words' } })
    expect((await api('GET', `/v1/records/${foreign.id}`, admin)).json.unreadable).toBe('KEY_NOT_FOUND')
  })
})
