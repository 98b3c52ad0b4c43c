import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Chain, genesis, type LedgerRecord, ledgerRecordSchema, type PromptLedgerError, recordHash } from '../index.js'
import { canonicalize, canonicalShape } from '../record/canonical.js'
import { toRecord } from '../record/from-input.js'
import { DataKeyStore } from './data-key-store.js'
import { Encryptor } from './encryptor.js'
import { EnvKeyProvider } from './env-key-provider.js'
import { LocalKeyringProvider } from './local-keyring-provider.js'
import { withEnc, withEncInPlace } from './record-content.js'
import { sampleRecord } from './test-support/sample-record.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pl-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function setup() {
  const keys = DataKeyStore.open({ dir, provider: LocalKeyringProvider.open({ dir }) })
  return { keys, enc: new Encryptor({ keys }) }
}

function code(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    return (err as PromptLedgerError).code
  }
  return 'no error'
}

/** Encrypt before sealing, as the pipeline does. */
function sealedEncrypted(enc: Encryptor, userId: string | null, secret: string, chain: Chain): LedgerRecord {
  const rec = sampleRecord(userId, secret)
  const { stream: _s, seq: _q, prev_hash: _p, hash: _h, ...unsealed } = rec
  return chain.seal(enc.encryptRecord(unsealed))
}

describe('Encryptor', () => {
  it('moves every content field into enc and restores it', () => {
    const { enc } = setup()
    const plain = sampleRecord('u-1', 'ZEBRA-42')
    const original = structuredClone(plain)
    enc.encryptRecord(plain)
    const text = JSON.stringify(plain)
    expect(text).not.toContain('ZEBRA-42')
    expect(plain.enc?.subject).toBe('user:u-1')
    expect(plain.metadata).toEqual({ note: '[encrypted]', attempt: 2, ok: true, nested: '[encrypted]' })
    expect(plain.usage).toEqual(original.usage)
    expect(ledgerRecordSchema.safeParse(plain).success).toBe(true)
    const back = enc.decryptRecord(plain)
    expect(back).toEqual(original)
  })

  it("seals a record its user's erasure captured (begun before it, encrypted after) as erased, and keeps no plaintext", () => {
    const keys = DataKeyStore.open({ dir, provider: LocalKeyringProvider.open({ dir }) })
    const enc = new Encryptor({ keys, keepPlaintextForIndex: true })
    const before = enc.encryptRecord(sampleRecord('u-1', 'OLD-OKAPI'))
    const erasedAt = Date.now()
    keys.destroy('user:u-1', erasedAt)
    // In flight during the erasure (or delivered late): it began before it.
    const late = sampleRecord('u-1', 'LATE-OKAPI')
    late.ts = new Date(erasedAt - 5_000).toISOString()
    const after = sampleRecord('u-1', 'NEW-OKAPI')
    after.ts = new Date(erasedAt + 1).toISOString()
    const placed = enc.encryptForSeal(structuredClone(late))
    enc.encryptRecord(late)
    enc.encryptRecord(after)
    for (const record of [before, late, placed]) {
      expect(JSON.stringify(record)).not.toContain('OKAPI')
      expect(record.enc?.key_id).toBe(before.enc?.key_id)
      expect(enc.readRecord(record).erased).toBe(true)
      expect(enc.searchView(record)).toBeNull()
      expect(ledgerRecordSchema.safeParse(record).success).toBe(true)
    }
    expect(after.enc?.key_id).not.toBe(before.enc?.key_id)
    expect(enc.readRecord(after).response?.output).toBe('answer NEW-OKAPI')
    expect(enc.searchView(after)?.response?.output).toBe('answer NEW-OKAPI')
    // An unreadable time errs towards the erasure.
    const odd = sampleRecord('u-1', 'ODD-OKAPI')
    odd.ts = 'not a time'
    expect(enc.readRecord(enc.encryptRecord(odd)).erased).toBe(true)
  })

  it("reads a record it cannot open as unreadable instead of failing: another data dir's key, altered ciphertext", () => {
    const { enc } = setup()
    const otherDir = mkdtempSync(path.join(os.tmpdir(), 'pl-other-'))
    const other = new Encryptor({
      keys: DataKeyStore.open({ dir: otherDir, provider: LocalKeyringProvider.open({ dir: otherDir }) }),
    })
    const foreign = other.encryptRecord(sampleRecord('u-1', 'FOREIGN-42'))
    rmSync(otherDir, { recursive: true, force: true })
    expect(enc.readRecord(foreign)).toMatchObject({ unreadable: 'KEY_NOT_FOUND', enc: foreign.enc })
    expect(JSON.stringify(enc.readRecord(foreign))).not.toContain('FOREIGN-42')
    expect(enc.searchView(foreign)).toBeNull()
    const altered = enc.encryptRecord(sampleRecord('u-1', 'ALTERED-42'))
    altered.enc!.ct =
      `A${altered.enc!.ct.slice(1)}` === altered.enc!.ct
        ? `B${altered.enc!.ct.slice(1)}`
        : `A${altered.enc!.ct.slice(1)}`
    expect(enc.readRecord(altered).unreadable).toBe('DECRYPT_FAILED')
    expect(code(() => enc.decryptRecord(altered))).toBe('DECRYPT_FAILED')
  })

  it('keeps a metadata key named __proto__ (a parsed record may own one) through encryption and back', () => {
    const { enc } = setup()
    const plain = sampleRecord('u-1', 'ZEBRA-42')
    plain.metadata = JSON.parse('{"__proto__":"ZEBRA-43","a":1}') as Record<string, unknown>
    const original = structuredClone(plain)
    enc.encryptRecord(plain)
    expect(JSON.stringify(plain)).not.toContain('ZEBRA-43')
    expect(Object.getPrototypeOf(plain.metadata)).toBe(Object.prototype)
    const back = enc.decryptRecord(JSON.parse(JSON.stringify(plain)) as LedgerRecord)
    expect(Object.getOwnPropertyDescriptor(back.metadata, '__proto__')?.value).toBe('ZEBRA-43')
    expect(JSON.stringify(back.metadata)).toBe(JSON.stringify(original.metadata))
  })

  it("leaves the caller's metadata object as it was (toRecord keeps a sorted one as is)", () => {
    const { enc } = setup()
    const metadata: Record<string, unknown> = { n: 1, note: 'ZEBRA-42' }
    const record = toRecord(
      { prompt: 'hi', userId: 'u-1', metadata },
      { id: 'r1', loggedAt: 1, hmacKey: Buffer.alloc(32), redacted: false },
    )
    enc.encryptRecord(record)
    expect(metadata).toEqual({ n: 1, note: 'ZEBRA-42' })
    expect(record.metadata).toEqual({ n: 1, note: '[encrypted]' })
    expect(enc.decryptRecord(record as LedgerRecord).metadata).toEqual(metadata)
  })

  it('keeps the chain valid because the seal hashes the ciphertext', () => {
    const { enc, keys } = setup()
    const chain = new Chain(genesis('s'))
    const rec = sealedEncrypted(enc, 'u-2', 'SECRET', chain)
    keys.destroy('user:u-2')
    expect(recordHash(rec)).toBe(rec.hash)
  })

  it('uses a tenant key for records without a user', () => {
    const { enc } = setup()
    const rec = enc.encryptRecord(sampleRecord(null, 'x'))
    expect(rec.enc?.subject).toBe('tenant:default')
  })

  it('reads an erased subject as erased and leaves other subjects readable', () => {
    const { enc, keys } = setup()
    const chain = new Chain(genesis('s'))
    const a = sealedEncrypted(enc, 'alice', 'ALICE-SECRET', chain)
    const b = sealedEncrypted(enc, 'bob', 'BOB-SECRET', chain)
    expect(keys.destroy('user:alice')).toEqual([a.enc?.key_id])
    expect(() => enc.decryptRecord(a)).toThrowError(expect.objectContaining({ code: 'KEY_ERASED' }))
    const read = enc.readRecord(a)
    expect(read.erased).toBe(true)
    expect(read.error?.message).toBe('[erased]')
    expect(read.metadata['note']).toBe('[erased]')
    expect(read.usage).toEqual(a.usage)
    expect(JSON.stringify(enc.readRecord(b))).toContain('BOB-SECRET')
    const file = readFileSync(keys.file, 'utf8')
    expect(file).not.toContain('alice')
    expect(statSync(keys.file).mode & 0o777).toBe(0o600)
  })

  it('detects tampered ciphertext, tag and moved ciphertext', () => {
    const { enc } = setup()
    const chain = new Chain(genesis('s'))
    const a = sealedEncrypted(enc, 'u', 'one', chain)
    const b = sealedEncrypted(enc, 'u', 'two', chain)
    const flipped = structuredClone(a)
    const ct = Buffer.from(flipped.enc!.ct, 'base64')
    ct[0] = (ct[0] ?? 0) ^ 1
    flipped.enc!.ct = ct.toString('base64')
    expect(code(() => enc.decryptRecord(flipped))).toBe('DECRYPT_FAILED')
    const moved = { ...structuredClone(b), enc: a.enc }
    expect(code(() => enc.decryptRecord(moved))).toBe('DECRYPT_FAILED')
    const badTag = structuredClone(a)
    badTag.enc!.tag = Buffer.alloc(16).toString('base64')
    expect(code(() => enc.decryptRecord(badTag))).toBe('DECRYPT_FAILED')
  })

  it('writes aes-256-ctr-hmac-sha256 with a 16-byte counter-block IV and a 16-byte tag', () => {
    const { enc } = setup()
    const a = enc.encryptRecord(sampleRecord('u', 'one'))
    const b = enc.encryptRecord(sampleRecord('u', 'one'))
    expect(a.enc?.alg).toBe('aes-256-ctr-hmac-sha256')
    expect(Buffer.from(a.enc!.iv, 'base64')).toHaveLength(16)
    expect(Buffer.from(a.enc!.tag, 'base64')).toHaveLength(16)
    // Same subject, same content: a fresh counter range, so neither the IV nor the ciphertext repeats.
    expect(a.enc?.iv).not.toBe(b.enc?.iv)
    expect(a.enc?.ct).not.toBe(b.enc?.ct)
  })

  it('fails with DECRYPT_FAILED on a flipped byte of any ciphertext, IV or tag, and on edited envelope fields', () => {
    const { enc, keys } = setup()
    const chain = new Chain(genesis('s'))
    const rec = sealedEncrypted(enc, 'u', 'secret', chain)
    const other = keys.getOrCreate('user:v').keyId
    const variants: Array<(r: LedgerRecord) => void> = []
    for (const field of ['ct', 'iv', 'tag'] as const) {
      const bytes = Buffer.from(rec.enc![field], 'base64').length
      for (let i = 0; i < bytes; i++) {
        variants.push((r) => {
          const buf = Buffer.from(r.enc![field], 'base64')
          buf[i] = (buf[i] ?? 0) ^ 0x80
          r.enc![field] = buf.toString('base64')
        })
      }
    }
    variants.push((r) => {
      r.enc!.subject = 'user:v'
    })
    variants.push((r) => {
      r.enc!.key_id = other
    })
    variants.push((r) => {
      r.enc!.alg = 'aes-256-gcm'
    })
    variants.push((r) => {
      r.id = '0193a0c0-0000-7000-8000-0000000000ff'
    })
    for (const change of variants) {
      const tampered = structuredClone(rec)
      change(tampered)
      expect(code(() => enc.decryptRecord(tampered))).toBe('DECRYPT_FAILED')
    }
    expect(() => enc.decryptRecord({ ...rec, enc: { ...rec.enc!, tag: 'AAAA' } })).toThrow(/failed authentication/)
    expect(JSON.stringify(enc.decryptRecord(rec))).toContain('secret')
  })

  it('still reads records written in the aes-256-gcm envelope, and erases them by key deletion', () => {
    const fixture = JSON.parse(readFileSync(new URL('./test-support/legacy-gcm-fixture.json', import.meta.url), 'utf8'))
    writeFileSync(path.join(dir, 'data-keys.json'), JSON.stringify(fixture.dataKeys), { mode: 0o600 })
    const keys = DataKeyStore.open({ dir, provider: new EnvKeyProvider({ masterKeyBase64: fixture.masterKey }) })
    const enc = new Encryptor({ keys })
    const [alice, tenant] = fixture.records as LedgerRecord[]
    expect(alice!.enc?.alg).toBe('aes-256-gcm')
    expect(ledgerRecordSchema.safeParse(alice).success).toBe(true)
    const clear = enc.decryptRecord(alice!)
    expect(clear.request.messages).toEqual([{ role: 'user', content: 'question LEGACY-ALICE — ünïcödé ✓' }])
    expect(clear.metadata).toEqual({
      note: 'meta LEGACY-ALICE',
      attempt: 2,
      ok: true,
      nested: { deep: 'LEGACY-ALICE' },
    })
    expect(recordHash(alice!)).toBe(alice!.hash)
    const flipped = structuredClone(alice!)
    flipped.enc!.tag = Buffer.alloc(16).toString('base64')
    expect(code(() => enc.decryptRecord(flipped))).toBe('DECRYPT_FAILED')
    keys.destroy('user:alice')
    expect(enc.readRecord(alice!).erased).toBe(true)
    expect(JSON.stringify(enc.readRecord(tenant!))).toContain('LEGACY-TENANT')
  })

  it('refuses an unknown algorithm by name', () => {
    const { enc } = setup()
    const rec = enc.encryptRecord(sampleRecord('u', 's'))
    const odd = { ...rec, enc: { ...rec.enc!, alg: 'rot13' } } as unknown as LedgerRecord
    expect(() => enc.decryptRecord(odd)).toThrow(/unknown encryption algorithm rot13/)
  })

  it('binds ids that JSON must escape, as written by any earlier version', () => {
    const { enc } = setup()
    for (const id of ['plain-id', 'with "quotes" and \\', 'ünï\u2028', '\ud800 lone', '']) {
      const rec = { ...sampleRecord('u', 'ZEBRA'), id }
      const back = enc.decryptRecord(enc.encryptRecord(rec))
      expect(back.request.messages).toEqual([{ role: 'user', content: 'question ZEBRA' }])
      // The AAD is exactly JSON.stringify([id, alg, key_id, subject]): another id does not open it.
      expect(code(() => enc.decryptRecord({ ...rec, id: `${id}x` }))).toBe('DECRYPT_FAILED')
    }
  })

  it('is idempotent on an encrypted record', () => {
    const { enc } = setup()
    const rec = enc.encryptRecord(sampleRecord('u', 's'))
    const before = JSON.stringify(rec)
    enc.encryptRecord(rec)
    expect(JSON.stringify(rec)).toBe(before)
  })
})

describe('withEncInPlace', () => {
  it('puts enc at its canonical place in a copy, so the seal hashes the same bytes without re-sorting', () => {
    const { enc } = setup()
    const { stream: _s, seq: _q, prev_hash: _p, hash: _h, ...unsealed } = sampleRecord('u', 'secret')
    // As toRecord builds them: every object's keys in code-unit order.
    const sorted = canonicalShape(unsealed) as typeof unsealed
    const encrypted = enc.encryptRecord(structuredClone(sorted))
    expect(Object.keys(encrypted).at(-1)).toBe('enc') // appended in place
    const placed = withEncInPlace(encrypted)
    expect(placed).not.toBe(encrypted)
    const keys = Object.keys(placed).filter((k) => placed[k as keyof typeof placed] !== undefined)
    expect(keys).toEqual([...keys].sort())
    expect(JSON.stringify(placed)).toBe(canonicalize(encrypted))
    const chain = new Chain(genesis('s'))
    const sealed = chain.seal(placed)
    expect(recordHash(sealed)).toBe(sealed.hash)
    expect(enc.decryptRecord(sealed).request.messages).toEqual(sorted.request.messages)
    expect(withEncInPlace(placed)).toBe(placed) // already in order: no copy
  })

  it('encryptForSeal gives the same envelope at its canonical place, in a copy only when that moves it', () => {
    const { enc } = setup()
    const { stream: _s, seq: _q, prev_hash: _p, hash: _h, ...unsealed } = sampleRecord('u', 'secret')
    const sorted = canonicalShape(unsealed) as typeof unsealed
    const placed = enc.encryptForSeal(structuredClone(sorted))
    expect(Object.keys(placed).filter((k) => placed[k as keyof typeof placed] !== undefined)).toEqual([
      ...Object.keys(sorted).slice(0, 2),
      'enc',
      ...Object.keys(sorted).slice(2),
    ])
    expect(JSON.stringify(placed)).toBe(canonicalize(placed))
    expect(enc.decryptRecord(new Chain(genesis('s')).seal(placed)).request.messages).toEqual(sorted.request.messages)
    // A record whose keys are not in order gets `enc` in place, as encryptRecord does.
    const unsorted = sampleRecord('u', 'secret')
    expect(enc.encryptForSeal(unsorted)).toBe(unsorted)
    expect(Object.keys(unsorted).at(-1)).toBe('enc')
  })

  it('leaves records it cannot vouch for alone (unsorted or unknown keys)', () => {
    const { enc } = setup()
    const unsorted = enc.encryptRecord(sampleRecord('u', 's'))
    expect(withEncInPlace(unsorted)).toBe(unsorted) // sampleRecord's keys are not in code-unit order
    const extra = { ...enc.encryptRecord(sampleRecord('u', 's')), zzz: 1 }
    expect(withEncInPlace(extra)).toBe(extra)
    const { enc: envelope, zzz: _z, hash: _h, ...known } = extra
    const sortedKnown = canonicalShape(known) as typeof known
    // An unknown key, or one out of order, anywhere in the walk: set in place, never copied.
    for (const record of [
      { ...sortedKnown, zzz: 1 },
      { zzz: 1, ...sortedKnown },
      { v: 1, ...sortedKnown },
    ]) {
      expect(withEnc(record, envelope!)).toBe(record)
      expect(record.enc).toBe(envelope)
    }
    const copy = withEnc(structuredClone(sortedKnown), envelope!)
    expect(JSON.stringify(copy)).toBe(canonicalize({ ...sortedKnown, enc: envelope }))
  })

  it('sets enc in its slot when the record holds one (as toRecord builds them): no copy', () => {
    const { enc } = setup()
    const record = toRecord(
      { prompt: 'my card is 4111 1111 1111 1111', response: 'noted', userId: 'u', metadata: { b: 1, a: 2 } },
      { id: 'r1', loggedAt: 0, hmacKey: null, redacted: false },
    )
    expect(Object.keys(record)).toContain('enc')
    const placed = enc.encryptForSeal(record)
    expect(placed).toBe(record)
    expect(placed.enc).toBeDefined()
    expect(JSON.stringify(placed)).toBe(canonicalize(placed))
  })
})
