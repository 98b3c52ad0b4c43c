import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DataKeyStore } from '../crypto/data-key-store.js'
import { Encryptor } from '../crypto/encryptor.js'
import { LocalKeyringProvider } from '../crypto/local-keyring-provider.js'
import { canonicalize } from '../record/canonical.js'
import { envelopeJson } from '../record/envelope-json.js'
import { toRecord } from '../record/from-input.js'
import { type BodyPlaces, bodyBound, bodyParts, writeBody } from './body-writer.js'

const ID = '01936b2e-8f3a-7c21-9b1e-4f2d8a6c0e11'

function written(record: object): { text: string; bytes: Buffer; places: BodyPlaces } | undefined {
  const parts = bodyParts(record)
  if (parts === undefined) return undefined
  const bytes = Buffer.alloc(bodyBound(parts) + 8, 0xff)
  const places: BodyPlaces = { hashAt: -1, prevAt: -1, seqAt: -1 }
  const n = writeBody(parts, bytes, 3, places)
  return { text: bytes.toString('utf8', 3, 3 + n), bytes: bytes.subarray(3, 3 + n), places }
}

function sealed(input: Parameters<typeof toRecord>[0], seq: number, prev: string): Record<string, unknown> {
  const record = toRecord(input, {
    id: ID,
    loggedAt: 1_700_000_000_000,
    hmacKey: null,
    redacted: true,
  }) as never as Record<string, unknown>
  record.stream = 's'
  record.seq = seq
  record.prev_hash = prev
  return record
}

describe('bodyParts + writeBody', () => {
  it('write the canonical JSON of the record, with hash, prev_hash and seq found where they are, for any text', () => {
    const text = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }))
    fc.assert(
      fc.property(
        fc.record({
          prompt: text,
          response: text,
          app: fc.option(text),
          // Keys that look like the chain's members, in user objects, must not move the places.
          metadata: fc.dictionary(fc.constantFrom('seq', 'prev_hash', 'id', 'hash', 'x', 'é'), fc.jsonValue()),
          error: fc.option(fc.record({ message: text })),
        }),
        fc.nat(),
        (input, seq) => {
          const prev = 'ab'.repeat(32)
          const record = sealed(input, seq, prev)
          const out = written(record)
          if (out === undefined) return // a value no key order makes canonical: the general encoder takes it
          expect(out.text).toBe(canonicalize(record))
          const { bytes, places } = out
          expect(bytes.toString('latin1', places.hashAt, places.hashAt + 6)).toBe(',"id":')
          expect(bytes.toString('latin1', places.prevAt - 14, places.prevAt + 65)).toBe(`,"prev_hash":"${prev}"`)
          expect(bytes.toString('latin1', places.seqAt - 7, places.seqAt)).toBe(',"seq":')
          expect(bytes.toString('latin1', places.seqAt, places.seqAt + String(seq).length)).toBe(String(seq))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('splice an encrypted envelope from its known JSON, byte for byte what stringifying it writes', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pl-'))
    try {
      const keys = DataKeyStore.open({ dir, provider: LocalKeyringProvider.open({ dir }) })
      const encryptor = new Encryptor({ keys })
      const text = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }))
      fc.assert(
        fc.property(
          fc.record({
            prompt: text,
            // Subjects are the user id: quotes, backslashes and lone surrogates must come out escaped.
            userId: fc.option(fc.oneof(text, fc.constantFrom('a"b', 'c\\d', '\ud800', 'é\u2028'))),
            app: fc.option(text),
            environment: fc.option(text),
            error: fc.option(fc.record({ message: text })),
          }),
          (input) => {
            const record = encryptor.encryptForSeal(sealed(input, 7, 'cd'.repeat(32)) as never) as Record<
              string,
              unknown
            >
            expect(envelopeJson(record.enc)).toBe(JSON.stringify(record.enc))
            const out = written(record)
            expect(out?.text).toBe(canonicalize(record))
          },
        ),
        { numRuns: 200 },
      )
      // Nothing on one side of `enc` (members the schema always has, dropped here): still one object.
      const record = encryptor.encryptForSeal(sealed({ prompt: 'hi' }, 0, '0'.repeat(64)) as never) as Record<
        string,
        unknown
      >
      for (const drop of [
        ['app', 'cost_usd'],
        ['end_ts', 'environment', 'error'],
      ]) {
        const rest = { ...record }
        for (const key of drop) delete rest[key]
        expect(written(rest)?.text).toBe(canonicalize(rest))
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('shape unsorted objects without changing the record', () => {
    const record = sealed({ prompt: 'hi', metadata: { b: 1, a: { d: 2, c: 3 } } }, 0, '0'.repeat(64))
    const metadata = record.metadata
    const out = written(record)
    expect(out?.text).toBe(canonicalize(record))
    expect(record.metadata).toBe(metadata)
  })

  it('leave to the general encoder what they cannot write (unknown keys, hash, odd values)', () => {
    const base = sealed({ prompt: 'hi' }, 0, '0'.repeat(64))
    expect(bodyParts({ ...base, extra: 1 })).toBeUndefined()
    expect(bodyParts({ ...base, hash: 'x' })).toBeUndefined()
    expect(bodyParts({ ...base, seq: Number.NaN })).toBeUndefined()
    expect(bodyParts({ ...base, prev_hash: null })).toBeUndefined()
    expect(bodyParts({ ...base, metadata: { at: new Date(0) } })).toBeUndefined()
    expect(bodyParts({ ...base, metadata: { n: 10n } })).toBeUndefined()
    // Nothing sorts before `hash`: no member for it to follow.
    const { app: _a, cost_usd: _c, enc: _e, end_ts: _t, environment: _v, error: _r, ...rest } = base
    expect(bodyParts(rest)).toBeUndefined()
    expect(bodyParts(Object.assign(Object.create({ inherited: 1 }), base))).toBeUndefined()
  })
})
