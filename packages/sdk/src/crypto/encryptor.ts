import { createHash, createSecretKey, type KeyObject, randomBytes } from 'node:crypto'
import { PromptLedgerError } from '../errors.js'
import { ENVELOPE_MIDDLE } from '../record/envelope-json.js'
import type { LedgerRecord, RecordEnc, UnsealedRecord } from '../record/schema.js'
import type { BatchKeys } from './batch-keys.js'
import { CTR_HMAC_ALG, CtrHmacAead, DERIVED_KEY_BYTES } from './ctr-hmac-aead.js'
import type { DataKeyStore, Erasure } from './data-key-store.js'
import { GCM_ALG, openGcm } from './gcm-envelope.js'
import {
  ENCRYPTED_PLACEHOLDER,
  markErased,
  type RecordContent,
  restoreContent,
  takeContent,
  withEnc,
} from './record-content.js'

export interface EncryptorOptions {
  keys: DataKeyStore
  /** Names the tenant key used for records without a `user_id`; default `default`. */
  tenant?: string
  /**
   * Keep each encrypted record's plaintext (weakly, until the record is collected) so a store can
   * index it via `searchView` without decrypting. The collector turns it on; the file ledger does not
   * need it, and the weak map's upkeep showed in GC time.
   */
  keepPlaintextForIndex?: boolean
}

/**
 * A record as a reader sees it: decrypted; marked `erased` when its subject's key was destroyed; or, with its content
 * left encrypted, marked `unreadable` when it cannot be opened here: `KEY_NOT_FOUND` (encrypted under another data
 * dir's keys, e.g. a file ledger imported into a collector) or `DECRYPT_FAILED` (its ciphertext or envelope altered).
 */
export type ReadableRecord = LedgerRecord & { erased?: true; unreadable?: 'KEY_NOT_FOUND' | 'DECRYPT_FAILED' }

const MAX_SUBJECT = 1024
/** The longest `userId` a record takes (toRecord's limit). */
const MAX_USER_ID = 1024

/** The key subject of a record: its user, or the tenant. Over-long user ids are hashed to fit the schema. */
export function subjectOf(userId: string | null, tenant = 'default'): string {
  if (userId === null) return `tenant:${tenant}`
  const subject = `user:${userId}`
  return subject.length <= MAX_SUBJECT ? subject : `user#${createHash('sha256').update(userId).digest('hex')}`
}

/**
 * The additional data of an envelope: `JSON.stringify([recordId, alg, keyId, subject])`, so a
 * ciphertext moved onto another record, or an envelope whose algorithm, key id or subject was edited,
 * fails to open. A JSON array: unambiguous whatever the fields contain.
 */
function envelopeAad(recordId: string, alg: string, keyId: string, subject: string): string {
  return JSON.stringify([recordId, alg, keyId, subject])
}

/** What encryption caches per data key: its derived AEAD and the AAD's fixed part (`,alg,keyId,subject]`). */
export interface KeyState {
  aead: CtrHmacAead
  aadTail: string | null
  /** The envelope's JSON between the IV and the tag (`","key_id":…,"subject":…,"tag":"`), made once per key. */
  envelopeMiddle?: string
}

/** A record id JSON writes as it is, between quotes: printable ASCII without `"` or `\\` (uuids always are). */
const PLAIN_ID = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

/**
 * Seals content taken from a record (see `takeContent`) under one data key: the envelope that goes in
 * the record's `enc` (the Encryptor and the build worker's encrypt stage share it).
 */
export function sealTaken(
  content: RecordContent,
  recordId: string,
  subject: string,
  keyId: string,
  state: KeyState,
): RecordEnc {
  // The AAD's tail is the same for every record of this key: stringified once, then joined to the id
  // (quoted by hand when it needs no escaping: a stringify per record showed in the profile).
  state.aadTail ??= JSON.stringify([CTR_HMAC_ALG, keyId, subject]).slice(1)
  const id = PLAIN_ID.test(recordId) ? `["${recordId}",` : `[${JSON.stringify(recordId)},`
  const sealed = state.aead.seal(JSON.stringify(content), id + state.aadTail)
  // Keys in RFC 8785 order: the seal's encoder then takes its native-stringify fast path. The symbol-keyed
  // member lets the build worker write the envelope's JSON without a stringify (see record/envelope-json.ts).
  state.envelopeMiddle ??= `","key_id":${JSON.stringify(keyId)},"subject":${JSON.stringify(subject)},"tag":"`
  const enc: RecordEnc & { [ENVELOPE_MIDDLE]: string } = {
    alg: CTR_HMAC_ALG,
    ct: sealed.ct,
    iv: sealed.iv,
    key_id: keyId,
    subject,
    tag: sealed.tag,
    [ENVELOPE_MIDDLE]: state.envelopeMiddle,
  }
  return enc
}

/**
 * Whether a record that began at `ts` (its ISO time) was captured by an erasure at `at`: begun at or before it. A
 * time that does not parse counts as captured, so a malformed record errs towards erasure.
 */
export function capturedBy(ts: unknown, erasure: Erasure): boolean {
  const ms = typeof ts === 'string' ? Date.parse(ts) : Number.NaN
  return !(ms > erasure.at)
}

/**
 * The envelope of content that an erasure already covers (see `DataKey.erasure`): sealed under a random key that is
 * dropped at once and labelled with a key id the erasure destroyed, so the record reads as erased, like every record
 * of the subject encrypted before it, and its chain and metadata stay as for any record.
 */
export function sealErased(content: RecordContent, recordId: string, subject: string, erasure: Erasure): RecordEnc {
  const key = randomBytes(32)
  const aead = CtrHmacAead.derive(createSecretKey(key))
  key.fill(0)
  try {
    return sealTaken(content, recordId, subject, erasure.keyId, { aead, aadTail: null })
  } finally {
    aead.destroy()
  }
}

/**
 * Envelope encryption of record content under the subject's data key: `aes-256-ctr-hmac-sha256`
 * (see `CtrHmacAead`) with the record id and the envelope fields as additional data. Records in the
 * earlier `aes-256-gcm` envelope still decrypt. Run it before the seal stage so the chain hashes the
 * ciphertext and erasure never breaks it.
 *
 * @example
 * const enc = new Encryptor({ keys })
 * enc.encryptRecord(record)            // content now in record.enc.ct
 * const clear = enc.decryptRecord(sealed)
 */
export class Encryptor {
  readonly #keys: DataKeyStore
  readonly #tenant: string
  /** Plaintext taken at encryption, so a store can index it without decrypting again; dies with the record. */
  readonly #taken: WeakMap<object, RecordContent> | null
  /**
   * Derived keys and the long-lived CTR context of each data key, keyed by the store's key object:
   * when the store drops a key (erasure, another process's change), its derived keys go with it.
   */
  readonly #perKey = new WeakMap<KeyObject, KeyState>()
  /**
   * The derived keys handed to the build worker, per data key (dropped with it, as `#perKey`); this
   * thread's AEAD of the same key is made from them too.
   */
  readonly #derived = new WeakMap<KeyObject, Buffer>()

  constructor(options: EncryptorOptions) {
    this.#keys = options.keys
    this.#tenant = options.tenant ?? 'default'
    this.#taken = options.keepPlaintextForIndex ? new WeakMap() : null
  }

  /** Persists data keys created since the last commit (batch mode); call before writing the records. */
  commitKeys(): void {
    this.#keys.commit()
  }

  /** `commitKeys` with the disk's wait off the event loop (see `DataKeyStore#commitAsync`). */
  commitKeysAsync(): Promise<void> {
    return this.#keys.commitAsync()
  }

  /** Names the tenant key used for records without a `user_id`. */
  get tenant(): string {
    return this.#tenant
  }

  /**
   * The keys the build worker needs to encrypt a batch (see `batchEncryptStage`), given each call's
   * `userId`: resolved here, so the key file is read and written on this thread only, and new keys stay
   * pending until `commitKeys` as for records encrypted here. A `userId` the record would reject is
   * skipped (its record fails in the worker and is built here); a record rejected for another field
   * leaves its subject a key that encrypts nothing.
   */
  batchKeys(userIds: readonly unknown[]): BatchKeys {
    const index = new Map<string, number>()
    const keyIds: string[] = []
    const derived: Buffer[] = []
    let erasures: Array<Erasure | null> | undefined
    for (const userId of userIds) {
      if (userId != null && (typeof userId !== 'string' || userId.length > MAX_USER_ID)) continue
      const subject = subjectOf(userId ?? null, this.#tenant)
      if (index.has(subject)) continue
      const { keyId, key, erasure } = this.#keys.getOrCreate(subject)
      if (erasure) {
        erasures ??= keyIds.map(() => null)
        erasures.push(erasure)
      } else erasures?.push(null)
      index.set(subject, keyIds.length)
      keyIds.push(keyId)
      derived.push(this.#derivedKeys(key))
    }
    // One buffer for the batch, transferred to the worker: this thread keeps no copy of it.
    const keys = new Uint8Array(derived.length * DERIVED_KEY_BYTES)
    for (let i = 0; i < derived.length; i++) keys.set(derived[i]!, i * DERIVED_KEY_BYTES)
    return { subjects: [...index.keys()], keyIds, keys, ...(erasures ? { erasures } : {}) }
  }

  /** Encrypts the content fields in place; a record that is already encrypted is left alone. */
  encryptRecord<T extends UnsealedRecord | LedgerRecord>(record: T): T {
    if (record.enc) return record
    const content = takeContent(record, ENCRYPTED_PLACEHOLDER)
    record.enc = this.#seal(record, content)
    if (!this.#sealedErased) this.#taken?.set(record, content)
    return record
  }

  /**
   * `encryptRecord` for the pipeline: the record comes back with `enc` at its canonical place, a copy
   * when that moves it (see `withEnc`), which is what the seal then hashes without re-sorting.
   */
  encryptForSeal<T extends UnsealedRecord | LedgerRecord>(record: T): T {
    if (record.enc) return record
    const content = takeContent(record, ENCRYPTED_PLACEHOLDER)
    const placed = withEnc(record, this.#seal(record, content))
    if (!this.#sealedErased) this.#taken?.set(placed, content)
    return placed
  }

  /** The last `#seal` sealed content an erasure covers: its plaintext is kept for no index. */
  #sealedErased = false

  #seal(record: UnsealedRecord | LedgerRecord, content: RecordContent): RecordEnc {
    const subject = subjectOf(record.user_id, this.#tenant)
    const { keyId, key, erasure } = this.#keys.getOrCreate(subject)
    // Captured before the subject's erasure (in flight then, or delivered late): it never gets a readable key.
    this.#sealedErased = erasure !== undefined && capturedBy(record.ts, erasure)
    if (this.#sealedErased) return sealErased(content, record.id, subject, erasure!)
    return sealTaken(content, record.id, subject, keyId, this.#state(key))
  }

  /**
   * A decrypted copy of the record (without `enc`). Throws `KEY_ERASED` when the subject was
   * erased, `DECRYPT_FAILED` when the ciphertext or its tag was altered, `WRONG_MASTER_KEY` when
   * the data key cannot be unwrapped.
   */
  decryptRecord(record: LedgerRecord): LedgerRecord {
    const copy = structuredClone(record)
    if (!copy.enc) return copy
    const { alg, key_id, subject, iv, tag, ct } = copy.enc
    const key = this.#keys.get(key_id)
    const ivBytes = Buffer.from(iv, 'base64')
    const tagBytes = Buffer.from(tag, 'base64')
    const ctBytes = Buffer.from(ct, 'base64')
    let clear: Buffer | null
    if (alg === CTR_HMAC_ALG) {
      clear = this.#state(key).aead.open(ivBytes, ctBytes, tagBytes, envelopeAad(copy.id, alg, key_id, subject))
    } else if (alg === GCM_ALG) {
      clear = openGcm(key, ivBytes, tagBytes, ctBytes, copy.id)
    } else {
      throw new PromptLedgerError('DECRYPT_FAILED', `record ${copy.id}: unknown encryption algorithm ${String(alg)}`)
    }
    if (clear === null) {
      throw new PromptLedgerError('DECRYPT_FAILED', `record ${copy.id}: ciphertext failed authentication (${alg})`)
    }
    let content: RecordContent
    try {
      content = JSON.parse(clear.toString('utf8')) as RecordContent
    } catch (cause) {
      // Authentic but unreadable: written by something that is not this encryptor.
      throw new PromptLedgerError('DECRYPT_FAILED', `record ${copy.id}: decrypted content is not JSON`, { cause })
    }
    restoreContent(copy, content)
    delete copy.enc
    return copy
  }

  /**
   * A plaintext view for building a search index: cheap (shallow) for a record this encryptor just
   * encrypted, a decryption otherwise; null when the subject was erased. Bound, so it can be passed around.
   */
  readonly searchView = (record: LedgerRecord): LedgerRecord | null => {
    if (!record.enc) return record
    // Encrypted here before its subject's erasure, indexed after it: the plaintext kept for it is not to be used.
    if (this.#keys.isErased(record.enc.key_id)) return null
    const content = this.#taken?.get(record)
    if (!content) {
      const read = this.readRecord(record)
      return read.erased || read.unreadable ? null : read
    }
    const view: LedgerRecord = { ...record, request: { ...record.request }, enc: null }
    if (record.response) view.response = { ...record.response }
    if (record.error) view.error = { ...record.error }
    view.metadata = { ...record.metadata }
    restoreContent(view, content)
    return view
  }

  #state(key: KeyObject): KeyState {
    let state = this.#perKey.get(key)
    if (!state) {
      // The keys a batch for the build worker derived already, when there was one: one HKDF per key.
      const derived = this.#derived.get(key)
      state = { aead: derived ? CtrHmacAead.fromKeys(derived) : CtrHmacAead.derive(key), aadTail: null }
      this.#perKey.set(key, state)
    }
    return state
  }

  /** `CtrHmacAead.deriveKeys` of a data key, kept for the next batches (see `#derived`). */
  #derivedKeys(key: KeyObject): Buffer {
    let keys = this.#derived.get(key)
    if (!keys) {
      keys = CtrHmacAead.deriveKeys(key)
      this.#derived.set(key, keys)
    }
    return keys
  }

  /**
   * Like `decryptRecord`, but a record that cannot be opened comes back marked instead of throwing (see
   * `ReadableRecord`): a list of records is not refused for one of them. Other failures (the key file unreadable,
   * the wrong master key) still throw.
   */
  readRecord(record: LedgerRecord): ReadableRecord {
    try {
      return this.decryptRecord(record)
    } catch (err) {
      if (!(err instanceof PromptLedgerError)) throw err
      const copy: ReadableRecord = structuredClone(record)
      if (err.code === 'KEY_ERASED') {
        markErased(copy)
        copy.erased = true
      } else if (err.code === 'KEY_NOT_FOUND' || err.code === 'DECRYPT_FAILED') copy.unreadable = err.code
      else throw err
      return copy
    }
  }
}
