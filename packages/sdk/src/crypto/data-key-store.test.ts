import { randomBytes } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Chain, genesis } from '../index.js'
import { DataKeyStore } from './data-key-store.js'
import { Encryptor } from './encryptor.js'
import { EnvKeyProvider } from './env-key-provider.js'
import { LocalKeyringProvider, rotateLocalMasterKey } from './local-keyring-provider.js'
import { masterKeyId } from './master-key.js'
import { sampleRecord } from './test-support/sample-record.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pl-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const envProvider = () => new EnvKeyProvider({ masterKeyBase64: randomBytes(32).toString('base64') })

function snapshot(): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of readdirSync(dir)) out[name] = readFileSync(path.join(dir, name)).toString('base64')
  return out
}

describe('LocalKeyringProvider', () => {
  it('creates the master key once in the 0600 keyring and reuses it', () => {
    const a = LocalKeyringProvider.open({ dir })
    const b = LocalKeyringProvider.open({ dir })
    expect(a.masterKeyId).toBe(b.masterKeyId)
    expect(statSync(path.join(dir, 'keyring.json')).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(path.join(dir, 'keyring.json'), 'utf8')).keys).toHaveProperty('encryption-master')
    expect(b.unwrap(a.wrap(Buffer.from('k'.repeat(32))))).toEqual(Buffer.from('k'.repeat(32)))
  })

  it('uses an existing master.key file instead of the keyring', () => {
    const key = randomBytes(32)
    writeFileSync(path.join(dir, 'master.key'), key.toString('base64'), { mode: 0o600 })
    expect(LocalKeyringProvider.open({ dir }).masterKeyId).toBe(masterKeyId(key))
    const keys = DataKeyStore.open({ dir, provider: LocalKeyringProvider.open({ dir }) })
    keys.getOrCreate('user:a')
    const next = rotateLocalMasterKey(dir, (p) => keys.rotate(p))
    expect(readFileSync(path.join(dir, 'master.key'), 'utf8').trim()).not.toBe(key.toString('base64'))
    expect(LocalKeyringProvider.open({ dir }).masterKeyId).toBe(next.masterKeyId)
    expect(existsSync(path.join(dir, 'keyring.json'))).toBe(false)
  })

  it('finishes a rotation interrupted after the data keys were rewritten', () => {
    const keys = DataKeyStore.open({ dir, provider: LocalKeyringProvider.open({ dir }) })
    keys.getOrCreate('user:a')
    let pending: LocalKeyringProvider | undefined
    expect(() =>
      rotateLocalMasterKey(dir, (p) => {
        keys.rotate(p)
        pending = p
        throw new Error('crash after rewrap')
      }),
    ).toThrow('crash after rewrap')
    expect(LocalKeyringProvider.open({ dir }).masterKeyId).toBe(pending?.masterKeyId)
    const keyring = JSON.parse(readFileSync(path.join(dir, 'keyring.json'), 'utf8'))
    expect(keyring.keys).not.toHaveProperty('encryption-master.next')
    expect(DataKeyStore.open({ dir, provider: LocalKeyringProvider.open({ dir }) }).has('user:a')).toBe(true)
  })
})

describe('EnvKeyProvider', () => {
  it('rejects a key that is not 32 bytes, naming the source but not the value', () => {
    expect(() => new EnvKeyProvider({ masterKeyBase64: 'c2hvcnQ=', source: 'PL_MASTER' })).toThrow(
      /PL_MASTER.*32 bytes/,
    )
  })
})

describe('DataKeyStore', () => {
  it('refuses a wrong master key with a clear error and writes nothing', () => {
    const keys = DataKeyStore.open({ dir, provider: envProvider() })
    keys.getOrCreate('user:a')
    const before = snapshot()
    let code = ''
    try {
      const other = DataKeyStore.open({ dir, provider: envProvider() })
      new Encryptor({ keys: other }).encryptRecord(sampleRecord('b', 'x'))
    } catch (err) {
      code = (err as { code: string }).code
      expect((err as Error).message).toMatch(/wrapped by master key [0-9a-f]{16}, but the configured master key is/)
    }
    expect(code).toBe('WRONG_MASTER_KEY')
    expect(snapshot()).toEqual(before)
  })

  it('rotates the master key; old records stay readable, the old master no longer opens the store', () => {
    const provider = LocalKeyringProvider.open({ dir })
    const keys = DataKeyStore.open({ dir, provider })
    const enc = new Encryptor({ keys })
    const chain = new Chain(genesis('s'))
    const recs = ['a', 'b', null].map((u) => {
      const { stream: _s, seq: _q, prev_hash: _p, hash: _h, ...r } = sampleRecord(u, `S-${u}`)
      return chain.seal(enc.encryptRecord(r))
    })
    const next = rotateLocalMasterKey(dir, (p) => keys.rotate(p))
    expect(next.masterKeyId).not.toBe(provider.masterKeyId)
    expect(existsSync(path.join(dir, 'master.key.next'))).toBe(false)
    const reopened = DataKeyStore.open({ dir, provider: LocalKeyringProvider.open({ dir }) })
    expect(reopened.masterKeyId).toBe(next.masterKeyId)
    const enc2 = new Encryptor({ keys: reopened })
    for (const r of recs) expect(JSON.stringify(enc2.decryptRecord(r))).toContain(`S-${r.user_id}`)
    expect(() => DataKeyStore.open({ dir, provider })).toThrowError(
      expect.objectContaining({ code: 'WRONG_MASTER_KEY' }),
    )
  })

  it('rotates to an env-provided master', () => {
    const keys = DataKeyStore.open({ dir, provider: envProvider() })
    const { key } = keys.getOrCreate('user:z')
    const next = envProvider()
    expect(keys.rotate(next)).toBe(1)
    expect(DataKeyStore.open({ dir, provider: next }).get(keys.getOrCreate('user:z').keyId).export()).toEqual(
      key.export(),
    )
  })

  it('sees a key destroyed by another process', () => {
    const provider = envProvider()
    const server = DataKeyStore.open({ dir, provider })
    const { keyId } = server.getOrCreate('user:a')
    expect(server.get(keyId).symmetricKeySize).toBe(32)
    DataKeyStore.open({ dir, provider }).destroy('user:a')
    expect(() => server.get(keyId)).toThrowError(expect.objectContaining({ code: 'KEY_ERASED' }))
    expect(server.getOrCreate('user:a').keyId).not.toBe(keyId)
  })

  it('reports an unknown key id as KEY_NOT_FOUND', () => {
    const keys = DataKeyStore.open({ dir, provider: envProvider() })
    expect(() => keys.get('nope')).toThrowError(expect.objectContaining({ code: 'KEY_NOT_FOUND' }))
  })

  it('keeps both keys when two processes create one for the same subject, and erases both', () => {
    const provider = envProvider()
    // Both create before either writes (batch mode makes the race deterministic); the locked merge keeps both.
    const a = DataKeyStore.open({ dir, provider, persist: 'batch' })
    const b = DataKeyStore.open({ dir, provider, persist: 'batch' })
    const ka = a.getOrCreate('user:x')
    const kb = b.getOrCreate('user:x')
    a.commit()
    b.commit()
    const reader = DataKeyStore.open({ dir, provider })
    expect(reader.get(ka.keyId).export()).toEqual(ka.key.export())
    expect(reader.get(kb.keyId).export()).toEqual(kb.key.export())
    expect(reader.destroy('user:x').sort()).toEqual([ka.keyId, kb.keyId].sort())
    expect(() => a.get(ka.keyId)).toThrowError(expect.objectContaining({ code: 'KEY_ERASED' }))
    expect(existsSync(`${reader.file}.lock`)).toBe(false)
  })

  it('in batch mode writes new keys only at commit()', () => {
    const provider = envProvider()
    const keys = DataKeyStore.open({ dir, provider, persist: 'batch' })
    const k = keys.getOrCreate('user:a')
    keys.getOrCreate('user:b')
    expect(existsSync(keys.file)).toBe(false)
    keys.commit()
    expect(DataKeyStore.open({ dir, provider }).subjects().sort()).toEqual(['user:a', 'user:b'])
    expect(DataKeyStore.open({ dir, provider }).get(k.keyId).export()).toEqual(k.key.export())
  })

  it('commitAsync writes new keys off the event loop, durable and in place once it resolves', async () => {
    const provider = envProvider()
    const keys = DataKeyStore.open({ dir, provider, persist: 'batch' })
    const a = keys.getOrCreate('user:a')
    const committed = keys.commitAsync()
    // The new file is written and the lock held, but nothing is in place before the fsyncs come back.
    expect(existsSync(keys.file)).toBe(false)
    expect(existsSync(`${keys.file}.lock`)).toBe(true)
    // Keys made meanwhile wait for the next commit, which follows this one.
    const b = keys.getOrCreate('user:b')
    const next = keys.commitAsync()
    await committed
    expect(DataKeyStore.open({ dir, provider }).subjects()).toEqual(['user:a'])
    await next
    const reader = DataKeyStore.open({ dir, provider })
    expect(reader.subjects().sort()).toEqual(['user:a', 'user:b'])
    expect(reader.get(a.keyId).export()).toEqual(a.key.export())
    expect(reader.get(b.keyId).export()).toEqual(b.key.export())
    expect(readdirSync(dir).sort()).toEqual(['data-keys.json'])
    await keys.commitAsync() // nothing pending: resolves at once
  })

  it('a synchronous write completes a commitAsync still running, and erasure then removes its key', async () => {
    const provider = envProvider()
    const keys = DataKeyStore.open({ dir, provider, persist: 'batch' })
    keys.getOrCreate('user:a')
    const x = keys.getOrCreate('user:x')
    const committed = keys.commitAsync()
    // Same process, lock held by the running commit: waiting for the lock would never end.
    expect(keys.destroy('user:x')).toEqual([x.keyId])
    await committed
    const file = JSON.parse(readFileSync(keys.file, 'utf8'))
    expect(Object.values(file.keys as Record<string, { subject: string }>).map((e) => e.subject)).toEqual(['user:a'])
    expect(file.erased).toEqual([x.keyId])
    expect(existsSync(`${keys.file}.lock`)).toBe(false)
    // And a plain commit() meanwhile finishes the running one before writing its own keys.
    keys.getOrCreate('user:c')
    const again = keys.commitAsync()
    keys.getOrCreate('user:d')
    keys.commit()
    await again
    expect(DataKeyStore.open({ dir, provider }).subjects().sort()).toEqual(['user:a', 'user:c', 'user:d'])
  })

  it('commitAsync that cannot write rejects, releases the lock and keeps its keys for the next commit', async () => {
    const provider = envProvider()
    const keys = DataKeyStore.open({ dir, provider, persist: 'batch' })
    const a = keys.getOrCreate('user:a')
    // Before the write is begun: the key file's name is taken by a folder, so the file cannot be read.
    mkdirSync(keys.file)
    await expect(keys.commitAsync()).rejects.toMatchObject({ code: 'IO_ERROR' })
    expect(existsSync(`${keys.file}.lock`)).toBe(false)
    rmSync(keys.file, { recursive: true })
    // After it is begun: the temp file vanishes under the write, so its rename fails once it is durable.
    const failing = keys.commitAsync()
    for (const name of readdirSync(dir)) if (name.endsWith('.tmp')) rmSync(path.join(dir, name))
    await expect(failing).rejects.toMatchObject({ code: 'IO_ERROR' })
    expect(existsSync(`${keys.file}.lock`)).toBe(false)
    expect(existsSync(keys.file)).toBe(false)
    await keys.commitAsync()
    expect(DataKeyStore.open({ dir, provider }).get(a.keyId).export()).toEqual(a.key.export())
  })

  it("in batch mode finds another process's keys at the first new subject of each batch", () => {
    const provider = envProvider()
    const server = DataKeyStore.open({ dir, provider, persist: 'batch' })
    const app = DataKeyStore.open({ dir, provider })
    const early = app.getOrCreate('user:a')
    server.getOrCreate('user:first')
    expect(server.getOrCreate('user:a').keyId).toBe(early.keyId)
    server.commit()
    // Made by the other process after this batch's check: found at the next batch's first new subject.
    const later = app.getOrCreate('user:b')
    expect(server.getOrCreate('user:b').keyId).toBe(later.keyId)
    server.commit()
    expect(DataKeyStore.open({ dir, provider }).subjects().sort()).toEqual(['user:a', 'user:b', 'user:first'])
  })

  it("erasure leaves none of the subject's key bytes in the data dir", () => {
    const provider = envProvider()
    const keys = DataKeyStore.open({ dir, provider, persist: 'batch' })
    for (const user of ['a', 'x', 'b']) keys.getOrCreate(`user:${user}`)
    keys.commit()
    keys.getOrCreate('user:c')
    keys.commit()
    const file = JSON.parse(readFileSync(keys.file, 'utf8'))
    const wrapped = Object.values(file.keys as Record<string, { subject: string; wrapped: string }>)
      .filter((e) => e.subject === 'user:x')
      .map((e) => e.wrapped)
    expect(wrapped).toHaveLength(1)
    const [erased] = keys.destroy('user:x')
    const everything = Object.values(snapshot())
      .map((b64) => Buffer.from(b64, 'base64').toString('latin1'))
      .join('\n')
    expect(everything).not.toContain(wrapped[0])
    expect(everything).not.toContain(Buffer.from(wrapped[0]!, 'base64').toString('latin1'))
    expect(everything).toContain(erased)
    expect(readdirSync(dir).sort()).toEqual(['data-keys.json'])
    expect(DataKeyStore.open({ dir, provider }).subjects().sort()).toEqual(['user:a', 'user:b', 'user:c'])
  })

  it('keeps every committed key through a crash, even one in the middle of the next write', () => {
    const provider = envProvider()
    const keys = DataKeyStore.open({ dir, provider, persist: 'batch' })
    const enc = new Encryptor({ keys })
    const record = enc.encryptRecord(sampleRecord('a', 'S-a'))
    // The collector commits a batch's keys before it stores the batch.
    enc.commitKeys()
    enc.encryptRecord(sampleRecord('b', 'S-b')) // never committed: its record was never acknowledged
    // The crash: a half-written temp file and the lock of the write it interrupted.
    writeFileSync(`${keys.file}.999.1.tmp`, '{"v":1,"master_key_id":', { mode: 0o600 })
    writeFileSync(`${keys.file}.lock`, '', { mode: 0o600 })
    const longAgo = new Date(Date.now() - 60_000)
    utimesSync(`${keys.file}.lock`, longAgo, longAgo)
    const reopened = DataKeyStore.open({ dir, provider, persist: 'batch' })
    expect(JSON.stringify(new Encryptor({ keys: reopened }).decryptRecord(record))).toContain('S-a')
    expect(reopened.subjects()).toEqual(['user:a'])
    // The next write takes over the stale lock and keeps the key.
    reopened.getOrCreate('user:c')
    reopened.commit()
    expect(DataKeyStore.open({ dir, provider }).subjects().sort()).toEqual(['user:a', 'user:c'])
  })
})
