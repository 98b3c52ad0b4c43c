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
import { type DataKey, DataKeyStore } from './data-key-store.js'
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

const keyLog = () => path.join(dir, 'data-keys.log')
/** The wrapped keys in the snapshot and the log, by subject. */
function wrappedKeys(): Array<{ subject: string; wrapped: string }> {
  const file = JSON.parse(readFileSync(path.join(dir, 'data-keys.json'), 'utf8'))
  const logged = existsSync(keyLog())
    ? readFileSync(keyLog(), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : []
  return [...Object.values(file.keys as Record<string, { subject: string; wrapped: string }>), ...logged]
}

/** Makes keys for `subjects` and commits them as one batch; returns the keys in order. */
function commitBatch(keys: DataKeyStore, ...subjects: string[]): DataKey[] {
  const made = subjects.map((subject) => keys.getOrCreate(subject))
  keys.commit()
  return made
}

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
    // The keys appended to the log since the first were re-wrapped into the snapshot with the others.
    expect(existsSync(keyLog())).toBe(false)
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

  it("records each erasure: the subject's next key carries it, here, after a reopen and in another process", () => {
    const provider = envProvider()
    const keys = DataKeyStore.open({ dir, provider })
    const old = keys.getOrCreate('user:a')
    expect(old.erasure).toBeUndefined()
    const [erasedId] = keys.destroy('user:a', 1_000)
    expect(erasedId).toBe(old.keyId)
    const next = keys.getOrCreate('user:a')
    expect(next.keyId).not.toBe(old.keyId)
    expect(next.erasure).toEqual({ at: 1_000, keyId: old.keyId })
    expect(keys.getOrCreate('user:b').erasure).toBeUndefined()
    // A store opened later, and one that was open all along, see it on the key they read.
    const other = DataKeyStore.open({ dir, provider })
    expect(other.getOrCreate('user:a')).toMatchObject({ keyId: next.keyId, erasure: { at: 1_000, keyId: old.keyId } })
    // A second erasure replaces the first; the subject is named by its digest only.
    keys.destroy('user:a', 2_000)
    expect(keys.getOrCreate('user:a').erasure).toEqual({ at: 2_000, keyId: next.keyId })
    const file = JSON.parse(readFileSync(path.join(dir, 'data-keys.json'), 'utf8'))
    expect(file.erasures).toHaveLength(1)
    expect(JSON.stringify(file.erasures)).not.toContain('user:a')
    expect(keys.isErased(old.keyId) && keys.isErased(next.keyId)).toBe(true)
    expect(keys.isErased(keys.getOrCreate('user:a').keyId)).toBe(false)
  })

  it('erases a subject that has no key yet under a key id that was never a key, which reads as erased', () => {
    const keys = DataKeyStore.open({ dir, provider: envProvider() })
    expect(keys.destroy('user:new', 5)).toEqual([])
    const { erasure } = keys.getOrCreate('user:new')
    expect(erasure?.at).toBe(5)
    expect(keys.isErased(erasure!.keyId)).toBe(true)
    expect(() => keys.get(erasure!.keyId)).toThrowError(expect.objectContaining({ code: 'KEY_ERASED' }))
  })

  it('reads a key file written before erasures were recorded', () => {
    const provider = envProvider()
    const keys = DataKeyStore.open({ dir, provider })
    const a = keys.getOrCreate('user:a')
    keys.destroy('user:b')
    const file = path.join(dir, 'data-keys.json')
    const { erasures, ...older } = JSON.parse(readFileSync(file, 'utf8'))
    expect(erasures).toHaveLength(1)
    writeFileSync(file, JSON.stringify(older))
    const reopened = DataKeyStore.open({ dir, provider })
    expect(reopened.get(a.keyId).export()).toEqual(a.key.export())
    expect(reopened.getOrCreate('user:b').erasure).toBeUndefined()
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
    // Keys made meanwhile wait for the next commit, which follows this one (appended to the log: the file exists).
    const b = keys.getOrCreate('user:b')
    const next = keys.commitAsync()
    await committed
    expect(DataKeyStore.open({ dir, provider }).subjects()).toContain('user:a')
    await next
    const reader = DataKeyStore.open({ dir, provider })
    expect(reader.subjects().sort()).toEqual(['user:a', 'user:b'])
    expect(reader.get(a.keyId).export()).toEqual(a.key.export())
    expect(reader.get(b.keyId).export()).toEqual(b.key.export())
    expect(readdirSync(dir).sort()).toEqual(['data-keys.json', 'data-keys.log'])
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

  it.each([
    ['the snapshot', ['a', 'x', 'b'], ['c']],
    ['the log', ['a'], ['x', 'b', 'c']],
  ])("erasure leaves none of the subject's key bytes in the data dir (key in %s)", (_, first, second) => {
    const provider = envProvider()
    const keys = DataKeyStore.open({ dir, provider, persist: 'batch' })
    for (const user of first) keys.getOrCreate(`user:${user}`)
    keys.commit()
    for (const user of second) keys.getOrCreate(`user:${user}`)
    keys.commit()
    const wrapped = wrappedKeys()
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
    // The log was folded into the new snapshot and removed.
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

describe('the key log', () => {
  it('appends the keys of later batches to the log and leaves the snapshot as it was', () => {
    const provider = envProvider()
    const keys = DataKeyStore.open({ dir, provider, persist: 'batch' })
    commitBatch(keys, 'user:a')
    const file = path.join(dir, 'data-keys.json')
    const before = { bytes: readFileSync(file), ino: statSync(file).ino }
    const [b] = commitBatch(keys, 'user:b', 'user:c')
    commitBatch(keys, 'user:d')
    expect(readFileSync(file)).toEqual(before.bytes)
    expect(statSync(file).ino).toBe(before.ino)
    const lines = readFileSync(keyLog(), 'utf8').split('\n')
    expect(lines.pop()).toBe('')
    expect(lines.map((l) => JSON.parse(l).subject)).toEqual(['user:b', 'user:c', 'user:d'])
    expect(JSON.parse(lines[0]!)).toEqual({
      id: b.keyId,
      subject: 'user:b',
      wrapped: expect.any(String),
      created: expect.any(String),
    })
    expect(statSync(keyLog()).mode & 0o777).toBe(0o600)
    const reader = DataKeyStore.open({ dir, provider })
    expect(reader.subjects().sort()).toEqual(['user:a', 'user:b', 'user:c', 'user:d'])
    expect(reader.get(b.keyId).export()).toEqual(b.key.export())
  })

  it("reads only the log's new lines to find another process's keys", () => {
    const provider = envProvider()
    const server = DataKeyStore.open({ dir, provider, persist: 'batch' })
    commitBatch(server, 'user:first')
    const app = DataKeyStore.open({ dir, provider })
    const early = app.getOrCreate('user:a')
    expect(server.getOrCreate('user:a').keyId).toBe(early.keyId)
    server.commit()
    const later = app.getOrCreate('user:b')
    expect(server.getOrCreate('user:b').keyId).toBe(later.keyId)
    // Both processes' appends are in one log; every process reads the same keys.
    commitBatch(server, 'user:own')
    const subjects = ['user:a', 'user:b', 'user:first', 'user:own']
    expect(DataKeyStore.open({ dir, provider }).subjects().sort()).toEqual(subjects)
    expect(app.subjects().sort()).toEqual(subjects)
  })

  it('skips a line cut short by a crash, and the next writer cuts it off before appending', () => {
    const provider = envProvider()
    const keys = DataKeyStore.open({ dir, provider, persist: 'batch' })
    commitBatch(keys, 'user:a')
    const [b] = commitBatch(keys, 'user:b')
    // The crash: half a line after the last complete one (a write whose batch was never acknowledged).
    const torn = '{"id":"0123456789abcdef01234567","subject":"user:lost","wrapp'
    writeFileSync(keyLog(), torn, { flag: 'a' })
    const reopened = DataKeyStore.open({ dir, provider, persist: 'batch' })
    expect(reopened.subjects().sort()).toEqual(['user:a', 'user:b'])
    commitBatch(reopened, 'user:c')
    const text = readFileSync(keyLog(), 'utf8')
    expect(text).not.toContain('user:lost')
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).subject),
    ).toEqual(['user:b', 'user:c'])
    const reader = DataKeyStore.open({ dir, provider })
    expect(reader.subjects().sort()).toEqual(['user:a', 'user:b', 'user:c'])
    expect(reader.get(b.keyId).export()).toEqual(b.key.export())
  })

  it('folds a log left behind by an erasure that stopped short, so the erased key stays erased and gone', () => {
    const provider = envProvider()
    const keys = DataKeyStore.open({ dir, provider, persist: 'batch' })
    commitBatch(keys, 'user:a')
    const [x] = commitBatch(keys, 'user:x')
    const oldLog = readFileSync(keyLog())
    const [wrapped] = wrappedKeys()
      .filter((e) => e.subject === 'user:x')
      .map((e) => e.wrapped)
    keys.destroy('user:x')
    // The crash: the new snapshot is in place, the log was not removed yet.
    writeFileSync(keyLog(), oldLog, { mode: 0o600 })
    const reopened = DataKeyStore.open({ dir, provider })
    expect(() => reopened.get(x.keyId)).toThrowError(expect.objectContaining({ code: 'KEY_ERASED' }))
    expect(readdirSync(dir).sort()).toEqual(['data-keys.json'])
    const everything = Object.values(snapshot())
      .map((b64) => Buffer.from(b64, 'base64').toString('latin1'))
      .join('\n')
    expect(everything).not.toContain(wrapped)
    expect(reopened.subjects()).toEqual(['user:a'])
  })

  it('an erasure completes an append still waiting for its fsync, then folds it in', async () => {
    const provider = envProvider()
    const keys = DataKeyStore.open({ dir, provider, persist: 'batch' })
    commitBatch(keys, 'user:a')
    keys.getOrCreate('user:b')
    const x = keys.getOrCreate('user:x')
    const committed = keys.commitAsync()
    expect(existsSync(`${keys.file}.lock`)).toBe(true)
    expect(keys.destroy('user:x')).toEqual([x.keyId])
    await committed
    expect(existsSync(`${keys.file}.lock`)).toBe(false)
    expect(readdirSync(dir).sort()).toEqual(['data-keys.json'])
    const reader = DataKeyStore.open({ dir, provider })
    expect(reader.subjects().sort()).toEqual(['user:a', 'user:b'])
    expect(() => reader.get(x.keyId)).toThrowError(expect.objectContaining({ code: 'KEY_ERASED' }))
    // Appends go on after the fold, into a new log.
    keys.getOrCreate('user:c')
    await keys.commitAsync()
    expect(DataKeyStore.open({ dir, provider }).subjects().sort()).toEqual(['user:a', 'user:b', 'user:c'])
  })

  it('reads a version 1 key file, and makes it version 2 before any key goes to a log', () => {
    const provider = envProvider()
    const keys = DataKeyStore.open({ dir, provider, persist: 'batch' })
    const [a] = commitBatch(keys, 'user:a')
    const file = path.join(dir, 'data-keys.json')
    // As a program that knows only version 1 wrote it: no log can continue it.
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), v: 1 }))
    const reopened = DataKeyStore.open({ dir, provider, persist: 'batch' })
    expect(reopened.get(a.keyId).export()).toEqual(a.key.export())
    commitBatch(reopened, 'user:b')
    expect(JSON.parse(readFileSync(file, 'utf8')).v).toBe(2)
    expect(existsSync(keyLog())).toBe(false)
    commitBatch(reopened, 'user:c')
    expect(existsSync(keyLog())).toBe(true)
    expect(DataKeyStore.open({ dir, provider }).subjects().sort()).toEqual(['user:a', 'user:b', 'user:c'])
  })

  it('refuses a log with a damaged line, naming the file and not its contents', () => {
    const provider = envProvider()
    const keys = DataKeyStore.open({ dir, provider, persist: 'batch' })
    commitBatch(keys, 'user:a')
    commitBatch(keys, 'user:b')
    const lines = readFileSync(keyLog(), 'utf8')
    writeFileSync(keyLog(), `{"id":"x","wrapped":"c2VjcmV0"}\n${lines}`)
    let error: Error | undefined
    try {
      DataKeyStore.open({ dir, provider })
    } catch (err) {
      error = err as Error
    }
    expect(error).toMatchObject({ code: 'LEDGER_CORRUPT' })
    expect(error!.message).toContain('data-keys.log')
    expect(error!.message).not.toContain('c2VjcmV0')
  })

  it('writes O(new keys) per batch: committing a key among thousands appends one line', () => {
    const provider = envProvider()
    const keys = DataKeyStore.open({ dir, provider, persist: 'batch' })
    for (let i = 0; i < 3000; i++) keys.getOrCreate(`user:${i}`)
    keys.commit()
    const snapshotBytes = statSync(path.join(dir, 'data-keys.json')).size
    keys.getOrCreate('user:new')
    keys.commit()
    expect(statSync(path.join(dir, 'data-keys.json')).size).toBe(snapshotBytes)
    expect(statSync(keyLog()).size).toBeLessThan(300)
  })
})
