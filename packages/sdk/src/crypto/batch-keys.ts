import { KEEPS_CANONICAL, type NamedStage } from '../pipeline/stage.js'
import { CtrHmacAead, DERIVED_KEY_BYTES } from './ctr-hmac-aead.js'
import type { Erasure } from './data-key-store.js'
import { capturedBy, type KeyState, sealErased, sealTaken, subjectOf } from './encryptor.js'
import { ENCRYPTED_PLACEHOLDER, takeContent, withEnc } from './record-content.js'

/**
 * The data keys of one batch, resolved on the ledger's thread (`Encryptor#batchKeys`) and sent with it
 * to the build worker: subject `i` has key id `keyIds[i]` and derived keys (`aesKey ‖ macKey`, see
 * `CtrHmacAead.deriveKeys`) at `keys[i * DERIVED_KEY_BYTES]`. The data keys themselves stay on that thread.
 */
export interface BatchKeys {
  subjects: string[]
  keyIds: string[]
  keys: Uint8Array
  /**
   * Per subject, its latest erasure when it had one before its key was made (see `DataKey.erasure`); absent when
   * no subject of the batch had one. A record of such a subject captured by the erasure is sealed as erased.
   */
  erasures?: Array<Erasure | null>
}

/** The build worker's encrypt stage, and the keys of the batch it is building. */
export interface BatchEncryptStage {
  stage: NamedStage
  /** Takes the keys of the batch about to be built, and zeroes the buffer they came in. */
  begin(keys: BatchKeys): void
  /** Zeroes every key it holds; the next batch brings its own. */
  drop(): void
  /**
   * Whether the stage will seal this record as erased (captured by its subject's erasure): its plaintext must feed
   * no search index.
   */
  sealsErased(record: { user_id: string | null; ts: string }): boolean
}

interface SubjectKey {
  keyId: string
  state: KeyState
  erasure: Erasure | null
}

/**
 * The encrypt stage as the build worker runs it: the envelope of `Encryptor#encryptRecord` (both use
 * `sealTaken`), under the keys sent with the batch; a record whose subject has no key in the batch
 * throws, and is built on the ledger's thread instead.
 *
 * It encrypts with no key but the batch's own. A subject's AEAD (its CTR context and keystream made
 * ahead) is kept into the next batch only when that batch names the same key id, the one thing that
 * makes context set-up cheap for a user seen batch after batch (at 200 users a batch, fresh contexts
 * cost 16 µs of encryption a record against 9 µs kept); every other key is zeroed as the next batch
 * begins, and all of them by `drop` (the worker calls it when a ledger's batches stop). A batch sent
 * after a subject's erasure names the subject's new key, so the erased key is never used for it.
 *
 * Counter blocks stay unique per key: each CTR context here starts at its own random 128-bit block
 * (`CtrKeystream`), as every context on the ledger's thread does, so two contexts' ranges of at most L
 * blocks overlap with probability below 2L / 2^128; for n contexts under one key, below n² · L / 2^128.
 *
 * @example
 * const encrypt = batchEncryptStage('default')
 * encrypt.begin(keys)
 * runStages([encrypt.stage], record)
 */
export function batchEncryptStage(tenant: string): BatchEncryptStage {
  let held = new Map<string, SubjectKey>()
  const destroy = (keys: Iterable<SubjectKey>): void => {
    for (const { state } of keys) state.aead.destroy()
  }
  // Whether a key held carries an erasure: most batches have none, and their records are not looked up twice.
  let anyErasure = false
  const erasureFor = (record: { user_id: string | null; ts: string }): Erasure | null =>
    anyErasure ? covering(held.get(subjectOf(record.user_id, tenant)), record.ts) : null
  return {
    stage: {
      name: 'encrypt',
      run(record) {
        if (record.enc) return record
        const subject = subjectOf(record.user_id, tenant)
        const key = held.get(subject)
        if (!key) throw new Error(`no data key came with the batch for ${subject}`)
        const content = takeContent(record, ENCRYPTED_PLACEHOLDER)
        const erasure = covering(key, record.ts)
        if (erasure) return withEnc(record, sealErased(content, record.id, subject, erasure))
        return withEnc(record, sealTaken(content, record.id, subject, key.keyId, key.state))
      },
      // As the ledger's encrypt stage: `enc` in its sorted place, placeholders where content was.
      [KEEPS_CANONICAL]: true,
    },
    begin({ subjects, keyIds, keys, erasures }) {
      const next = new Map<string, SubjectKey>()
      for (let i = 0; i < subjects.length; i++) {
        const subject = subjects[i]!
        const keyId = keyIds[i]!
        const erasure = erasures?.[i] ?? null
        const kept = held.get(subject)
        if (kept?.keyId === keyId) {
          held.delete(subject)
          kept.erasure = erasure
          next.set(subject, kept)
          continue
        }
        const at = i * DERIVED_KEY_BYTES
        const aead = CtrHmacAead.fromKeys(keys.subarray(at, at + DERIVED_KEY_BYTES))
        next.set(subject, { keyId, state: { aead, aadTail: null }, erasure })
      }
      keys.fill(0)
      destroy(held.values())
      held = next
      anyErasure = erasures !== undefined
    },
    drop() {
      destroy(held.values())
      held = new Map()
      anyErasure = false
    },
    sealsErased: (record) => erasureFor(record) !== null,
  }
}

/** The erasure of `key`'s subject that took in a record begun at `ts`, if any. */
function covering(key: SubjectKey | undefined, ts: string): Erasure | null {
  const erasure = key?.erasure ?? null
  return erasure && capturedBy(ts, erasure) ? erasure : null
}
