import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { readRecords } from '../exporters/file-ledger/read-ledger.js'
import { verifyLedger } from '../exporters/file-ledger/verify-ledger.js'
import { createLedger } from '../ledger.js'
import { DataKeyStore } from './data-key-store.js'
import { openEncryptor } from './encrypt-stage.js'
import { subjectOf } from './encryptor.js'
import { LocalKeyringProvider } from './local-keyring-provider.js'

const dirs: string[] = []
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

/** Every file's bytes (gzip and brotli archives inflated too), to search for plaintext. */
function dataDirBytes(root: string): Array<[string, Buffer]> {
  return fs.readdirSync(root, { withFileTypes: true, recursive: true }).flatMap((e) => {
    if (!e.isFile()) return []
    const file = path.join(e.parentPath, e.name)
    const bytes = fs.readFileSync(file)
    const inflated = file.endsWith('.gz')
      ? gunzipSync(bytes)
      : file.endsWith('.br')
        ? brotliDecompressSync(bytes)
        : undefined
    return inflated
      ? [[file, bytes] as [string, Buffer], [file, inflated] as [string, Buffer]]
      : [[file, bytes] as [string, Buffer]]
  })
}
const hits = (root: string, needle: string) =>
  dataDirBytes(root)
    .filter(([, bytes]) => bytes.includes(Buffer.from(needle)))
    .map(([f]) => path.relative(root, f))

describe('file ledger with encryption', () => {
  it('never writes content in clear; erasure leaves verify green and other users readable', async () => {
    const dir = tmp()
    const ledger = createLedger({ dir, stream: 's', handleExit: false, encrypt: true, maxFileBytes: 2048 })
    for (let i = 0; i < 10; i++) {
      ledger.log({
        prompt: `alice asks about marmaladequokka ${i}`,
        response: 'zeppelinorchid',
        userId: 'alice',
        model: 'm',
      })
      ledger.log({ prompt: `bob asks ${i}`, response: 'pelicanharmonica', userId: 'bob', model: 'm' })
    }
    ledger.log({ prompt: 'anonymous tenantcontent', response: 'ok', model: 'm' })
    await ledger.close()
    expect(hits(dir, 'marmaladequokka')).toEqual([])
    expect(hits(dir, 'pelicanharmonica')).toEqual([])

    const encryptor = openEncryptor({ dir })
    const records = []
    for await (const r of readRecords(dir)) records.push(r)
    expect(records).toHaveLength(21)
    expect(records.every((r) => r.enc)).toBe(true)
    expect(JSON.stringify(encryptor.decryptRecord(records[0]!))).toContain('marmaladequokka')
    expect(records.find((r) => r.user_id === null)?.enc?.subject).toBe('tenant:default')

    // Erase alice: a key deletion; the ledger files are not touched.
    DataKeyStore.open({ dir, provider: LocalKeyringProvider.open({ dir }) }).destroy(subjectOf('alice'))
    expect((await verifyLedger(dir)).ok).toBe(true)
    const after = openEncryptor({ dir })
    for (const r of records) {
      const read = after.readRecord(r)
      if (r.user_id === 'alice') expect(read.erased).toBe(true)
      else expect(JSON.stringify(read)).toMatch(/pelicanharmonica|tenantcontent/)
    }
  })

  it('keeps metadata as JSON has it: what JSON leaves out gets no placeholder, and decrypts to the clear record', async () => {
    const metadata = { fn: () => 1, gone: undefined, sym: Symbol('s'), n: 1, s: 'str', o: { f: () => 2, k: 'v' } }
    const read = async (encrypt: boolean) => {
      const dir = tmp()
      const ledger = createLedger({ dir, stream: 's', encrypt, handleExit: false })
      ledger.log({ prompt: 'p', response: 'r', userId: 'alice', metadata })
      await ledger.close()
      const records = []
      for await (const r of readRecords(dir)) records.push(r)
      return { dir, record: records[0]! }
    }
    const clear = await read(false)
    expect(clear.record.metadata).toEqual({ n: 1, o: { k: 'v' }, s: 'str' })
    const sealed = await read(true)
    expect(sealed.record.metadata).toEqual({ n: 1, o: '[encrypted]', s: '[encrypted]' })
    expect(openEncryptor({ dir: sealed.dir }).decryptRecord(sealed.record).metadata).toEqual(clear.record.metadata)
  })

  it('drops a batch whose new data keys cannot be written, reports it, and goes on from the chain on disk', async () => {
    const dir = tmp()
    const keyFile = path.join(dir, 'data-keys.json')
    const ledger = createLedger({ dir, stream: 's', handleExit: false, encrypt: true })
    const errors: Array<Error & { code?: string }> = []
    ledger.on('error', (err) => errors.push(err))
    // Runs after the encrypt stage, on the first record that brings a new user: the key file's name is
    // then taken by a folder, so that batch's key commit fails.
    let sabotaged = false
    ledger.insertStage(
      {
        name: 'sabotage',
        run: (record) => {
          if (record.user_id === 'new-user' && !sabotaged) {
            sabotaged = true
            fs.renameSync(keyFile, `${keyFile}.aside`)
            fs.mkdirSync(keyFile)
          }
          return record
        },
      },
      'encrypt',
    )
    ledger.log({ prompt: 'kept 1', response: 'r', userId: 'old-user' })
    await ledger.flush()
    ledger.log({ prompt: 'lost', response: 'r', userId: 'new-user' })
    await ledger.flush()
    expect(errors.map((e) => e.code)).toEqual(['EXPORT_FAILED'])
    fs.rmdirSync(keyFile)
    fs.renameSync(`${keyFile}.aside`, keyFile)
    ledger.log({ prompt: 'kept 2', response: 'r', userId: 'new-user' })
    await ledger.close()
    const records = []
    for await (const r of readRecords(dir)) records.push(r)
    expect(records.map((r) => r.seq)).toEqual([0, 1])
    const encryptor = openEncryptor({ dir })
    expect(records.map((r) => encryptor.decryptRecord(r).request.messages?.[0]?.content)).toEqual(['kept 1', 'kept 2'])
    expect((await verifyLedger(dir)).ok).toBe(true)
  })

  it('refuses a wrong master key before writing anything', async () => {
    const dir = tmp()
    const masterKey = randomBytes(32).toString('base64')
    const first = createLedger({ dir, stream: 's', handleExit: false, encrypt: { masterKey } })
    first.log({ prompt: 'p', response: 'r', userId: 'u', model: 'm' })
    await first.close()
    const before = dataDirBytes(dir).map(([f, b]) => `${f}:${b.toString('base64')}`)
    expect(() =>
      createLedger({ dir, stream: 's', handleExit: false, encrypt: { masterKey: randomBytes(32).toString('base64') } }),
    ).toThrowError(expect.objectContaining({ code: 'WRONG_MASTER_KEY' }))
    expect(dataDirBytes(dir).map(([f, b]) => `${f}:${b.toString('base64')}`)).toEqual(before)
  })
})
