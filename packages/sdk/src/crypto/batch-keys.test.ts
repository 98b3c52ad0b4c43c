import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type BatchItem, createBodyEncoder, LAYOUT_WIDTH } from '../pipeline/body-batch.js'
import { runStages } from '../pipeline/stage.js'
import { toRecord } from '../record/from-input.js'
import type { LogInput } from '../record/log-input.js'
import type { LedgerRecord } from '../record/schema.js'
import { Chain, genesis } from '../seal/chain.js'
import { LineBuffer } from '../seal/line-buffer.js'
import { batchEncryptStage } from './batch-keys.js'
import { DataKeyStore } from './data-key-store.js'
import { encryptStage } from './encrypt-stage.js'
import { Encryptor } from './encryptor.js'
import { LocalKeyringProvider } from './local-keyring-provider.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pl-bk-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const HMAC_KEY = Buffer.alloc(32, 5)
/** When the test calls are logged. */
const ERA = 1_700_000_000_000
const ctx = (item: BatchItem) => ({ id: item.id, loggedAt: item.loggedAt, hmacKey: HMAC_KEY, redacted: false })

function setup() {
  const keys = DataKeyStore.open({ dir, provider: LocalKeyringProvider.open({ dir }), persist: 'batch' })
  return { keys, encryptor: new Encryptor({ keys }) }
}

function itemsOf(inputs: LogInput[]): BatchItem[] {
  return inputs.map((input, i) => ({
    id: `01936b2e-8f3a-7c21-9b1e-4f2d8a6c${1000 + i}`,
    input,
    loggedAt: ERA + i,
  }))
}

/** The line with what is random per encryption (ciphertext, IV, tag) and the chain built on it masked. */
const masked = (line: string) => line.replace(/"(ct|iv|tag|hash|prev_hash)":"[^"]*"/g, '"$1":"*"')

/** The worker's way: keys resolved by the encryptor, the batch encrypted by the worker's stage. */
function workerLines(encryptor: Encryptor, items: BatchItem[]): string[] {
  const encrypt = batchEncryptStage(encryptor.tenant)
  const { encode } = createBodyEncoder({ stream: 's', hmacKey: HMAC_KEY, redacted: false, stages: [encrypt.stage] })
  encrypt.begin(encryptor.batchKeys(items.map((item) => item.input.userId)))
  const { bytes, layout } = encode(items)
  const lines = new LineBuffer(16)
  const chain = new Chain(genesis('s'))
  const inThread = [encryptStage(encryptor)]
  for (let i = 0; i < items.length; i++) {
    const o = i * LAYOUT_WIDTH
    if (layout[o + 1]! < 0) {
      // Sent back: the ledger builds it on its own thread, as here.
      try {
        chain.sealInto(runStages(inThread, toRecord(items[i]!.input, ctx(items[i]!))), lines)
      } catch {
        // rejected on either thread alike
      }
      continue
    }
    const offsets = { idAt: layout[o + 2]!, prevAt: layout[o + 3]!, seqAt: layout[o + 4]! }
    chain.sealBodyInto(bytes, layout[o]!, layout[o + 1]!, offsets, lines)
  }
  encrypt.drop()
  return lines.bytes.toString('utf8', 0, lines.length).split('\n').filter(Boolean)
}

/** The ledger's own thread: toRecord → encrypt stage → seal. */
function inThreadLines(encryptor: Encryptor, items: BatchItem[]): string[] {
  const lines = new LineBuffer(16)
  const chain = new Chain(genesis('s'))
  const stages = [encryptStage(encryptor)]
  for (const item of items) {
    try {
      chain.sealInto(runStages(stages, toRecord(item.input, ctx(item))), lines)
    } catch {
      // rejected on either thread alike
    }
  }
  return lines.bytes.toString('utf8', 0, lines.length).split('\n').filter(Boolean)
}

describe('batchEncryptStage', () => {
  it('writes the lines the ledger thread writes, ciphertext aside, and they decrypt to the same records', () => {
    const { encryptor } = setup()
    const text = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }))
    const input = fc.record(
      {
        prompt: text,
        response: text,
        userId: fc.oneof(fc.constantFrom('alice', 'bob', 'x'.repeat(1100), null), fc.string(), fc.integer()),
        metadata: fc.dictionary(fc.constantFrom('seq', 'prev_hash', 'note', 'n'), fc.jsonValue()),
        error: fc.option(fc.record({ message: text }), { nil: undefined }),
      },
      { requiredKeys: ['prompt'] },
    )
    fc.assert(
      fc.property(fc.array(input, { minLength: 1, maxLength: 6 }), (inputs) => {
        const items = itemsOf(inputs as LogInput[])
        const worker = workerLines(encryptor, items)
        const local = inThreadLines(encryptor, items)
        expect(worker.map(masked)).toEqual(local.map(masked))
        const clear = (line: string) => {
          const { hash, prev_hash, ...record } = encryptor.decryptRecord(JSON.parse(line) as LedgerRecord)
          void [hash, prev_hash]
          return record
        }
        expect(worker.map(clear)).toEqual(local.map(clear))
        encryptor.commitKeys()
      }),
      { numRuns: 150 },
    )
  })

  it("throws for a subject that has no key in the batch (the record is built on the ledger's thread)", () => {
    const { encryptor } = setup()
    const encrypt = batchEncryptStage(encryptor.tenant)
    const [alice, bob] = itemsOf([
      { prompt: 'a', userId: 'alice' },
      { prompt: 'b', userId: 'bob' },
    ])
    const batch = encryptor.batchKeys(['alice'])
    encrypt.begin(batch)
    // The batch's buffer is zeroed as soon as the stage has taken the keys.
    expect(batch.keys.every((b) => b === 0)).toBe(true)
    expect(encrypt.stage.run(toRecord(alice!.input, ctx(alice!)))?.enc?.subject).toBe('user:alice')
    expect(() => encrypt.stage.run(toRecord(bob!.input, ctx(bob!)))).toThrow(/no data key came with the batch/)
    encrypt.drop()
    expect(() => encrypt.stage.run(toRecord(alice!.input, ctx(alice!)))).toThrow(/no data key/)
  })

  it("seals a record its user's erasure captured as erased, as the ledger's thread does, and says so first", () => {
    const { keys, encryptor } = setup()
    const encrypt = batchEncryptStage(encryptor.tenant)
    const [first] = itemsOf([{ prompt: 'first words of alice', userId: 'alice' }])
    encrypt.begin(encryptor.batchKeys(['alice']))
    const a1 = runStages([encrypt.stage], toRecord(first!.input, ctx(first!))) as LedgerRecord
    encryptor.commitKeys()
    keys.destroy('user:alice', ERA + 10)
    const items = itemsOf([
      { prompt: 'in flight for alice', userId: 'alice' },
      { prompt: 'words of bob', userId: 'bob' },
    ])
    const late = { ...items[1]!, input: { prompt: 'after the erasure', userId: 'alice' }, loggedAt: ERA + 11 }
    const batch = encryptor.batchKeys(['alice', 'bob', 'alice'])
    expect(batch.erasures).toEqual([{ at: ERA + 10, keyId: a1.enc!.key_id }, null])
    encrypt.begin(batch)
    const records = [...items, late].map((item) => toRecord(item.input, ctx(item)))
    expect(records.map((r) => encrypt.sealsErased(r))).toEqual([true, false, false])
    const [inFlight, bob, after] = records.map((r) => runStages([encrypt.stage], r) as LedgerRecord)
    encryptor.commitKeys()
    expect(JSON.stringify(inFlight)).not.toContain('in flight')
    expect(inFlight!.enc!.key_id).toBe(a1.enc!.key_id)
    expect(encryptor.readRecord(inFlight!).erased).toBe(true)
    expect(encryptor.decryptRecord(bob!).request.messages?.[0]?.content).toBe('words of bob')
    expect(encryptor.decryptRecord(after!).request.messages?.[0]?.content).toBe('after the erasure')
    encrypt.drop()
  })

  it("uses only the keys of the batch it builds: an erased subject's next batch is under its new key", () => {
    const { keys, encryptor } = setup()
    const encrypt = batchEncryptStage(encryptor.tenant)
    const build = (userIds: string[]) => {
      const items = itemsOf(userIds.map((userId) => ({ prompt: `secret of ${userId}`, userId })))
      encrypt.begin(encryptor.batchKeys(userIds))
      return items.map((item) => runStages([encrypt.stage], toRecord(item.input, ctx(item))) as LedgerRecord)
    }
    const [a1, b1] = build(['alice', 'bob'])
    encryptor.commitKeys()
    // Erased just before the calls below began (their items are logged at ERA): they are not the erasure's.
    keys.destroy('user:alice', ERA - 1)
    const [a2, b2] = build(['alice', 'bob'])
    const [c3] = build(['carol'])
    encryptor.commitKeys()
    expect(a2!.enc!.key_id).not.toBe(a1!.enc!.key_id)
    expect(b2!.enc!.key_id).toBe(b1!.enc!.key_id)
    expect(encryptor.readRecord(a1!).erased).toBe(true)
    expect(encryptor.decryptRecord(a2!).request.messages?.[0]?.content).toBe('secret of alice')
    expect(encryptor.decryptRecord(b2!).request.messages?.[0]?.content).toBe('secret of bob')
    expect(encryptor.decryptRecord(c3!).request.messages?.[0]?.content).toBe('secret of carol')
    // A key the latest batch did not name is gone from the stage.
    const [bob] = itemsOf([{ prompt: 'late', userId: 'bob' }])
    expect(() => encrypt.stage.run(toRecord(bob!.input, ctx(bob!)))).toThrow(/no data key/)
    encrypt.drop()
  })
})
