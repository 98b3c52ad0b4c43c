import { type KeyObject, createSecretKey, randomBytes } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { PromptLedgerError } from '../errors.js'
import type { KeyProvider } from './key-provider.js'
import { writeFileAtomic } from './secure-file.js'

const fileSchema = z.object({
  v: z.literal(1),
  master_key_id: z.string(),
  keys: z.record(z.string(), z.object({ key_id: z.string(), wrapped: z.string(), created: z.string() })),
  /** Key ids destroyed by erasure, so their ciphertext reads as erased rather than as "key missing". */
  erased: z.array(z.string()),
})
type KeyFile = z.infer<typeof fileSchema>

export interface DataKeyStoreOptions {
  /** Directory holding `data-keys.json` (0600). */
  dir: string
  provider: KeyProvider
  /**
   * How long `getOrCreate` (the encrypt hot path) trusts its cache before re-checking the file for
   * changes by another process; default 1000 ms. Reads (`get`) always re-check.
   */
  recheckMs?: number
}

export interface DataKey {
  keyId: string
  /** The AES key, imported once (a KeyObject is cheaper per cipher than raw bytes). */
  key: KeyObject
}

/**
 * Data keys per subject (a user, or the tenant for records without one), wrapped by the master key
 * and kept in `<dir>/data-keys.json`. `destroy()` rewrites the file without the key (temp file +
 * fsync + rename), so erasure leaves no copy of the key on disk.
 *
 * Other processes (the CLI while the server runs) may change the file; every lookup compares the
 * file's identity (inode, size, mtime) with what was loaded and reloads on change — a stat is a
 * few microseconds, cheap next to a record's encryption, and keeps an erased key from living on in
 * a cache.
 *
 * @example
 * const keys = DataKeyStore.open({ dir: './promptledger-data', provider })
 * const { keyId, key } = keys.getOrCreate('user:42')
 */
export class DataKeyStore {
  readonly file: string
  #provider: KeyProvider
  #data: KeyFile
  #stamp = ''
  #bySubject = new Map<string, DataKey>()
  #byKeyId = new Map<string, KeyObject>()
  readonly #recheckMs: number
  #checkedAt = 0

  private constructor(file: string, provider: KeyProvider, recheckMs: number) {
    this.file = file
    this.#provider = provider
    this.#recheckMs = recheckMs
    this.#data = { v: 1, master_key_id: provider.masterKeyId, keys: {}, erased: [] }
  }

  /** Opens (or prepares) the store; throws `WRONG_MASTER_KEY` if the file was made under another master. */
  static open(options: DataKeyStoreOptions): DataKeyStore {
    const store = new DataKeyStore(path.join(options.dir, 'data-keys.json'), options.provider, options.recheckMs ?? 1000)
    store.#reloadIfChanged()
    return store
  }

  /** The id of the master key that wraps the stored keys. */
  get masterKeyId(): string {
    return this.#data.master_key_id
  }

  /** The subject's data key, created (and persisted before use) on first need. */
  getOrCreate(subject: string): DataKey {
    // A stat per record cost more than the encryption itself; another process's erasure is picked up
    // within `recheckMs` (records encrypted meanwhile under the erased key read as erased, as they should).
    const now = Date.now()
    if (now - this.#checkedAt >= this.#recheckMs) {
      this.#reloadIfChanged()
      this.#checkedAt = now
    }
    const cached = this.#bySubject.get(subject)
    if (cached) return cached
    this.#reloadIfChanged()
    const again = this.#bySubject.get(subject)
    if (again) return again
    const entry = this.#data.keys[subject]
    if (entry) return this.#remember(subject, entry.key_id, entry.wrapped)
    const raw = randomBytes(32)
    const keyId = randomBytes(12).toString('hex')
    const wrapped = Buffer.from(this.#provider.wrap(raw) as Buffer).toString('base64')
    this.#data.keys[subject] = { key_id: keyId, wrapped, created: new Date().toISOString() }
    this.#persist()
    const key = createSecretKey(raw)
    raw.fill(0)
    const dataKey = { keyId, key }
    this.#bySubject.set(subject, dataKey)
    this.#byKeyId.set(keyId, key)
    return dataKey
  }

  /** The key with this id; throws `KEY_ERASED` for a destroyed key, `KEY_NOT_FOUND` for an unknown one. */
  get(keyId: string): KeyObject {
    this.#reloadIfChanged()
    const cached = this.#byKeyId.get(keyId)
    if (cached) return cached
    for (const [subject, entry] of Object.entries(this.#data.keys)) {
      if (entry.key_id === keyId) return this.#remember(subject, entry.key_id, entry.wrapped).key
    }
    if (this.#data.erased.includes(keyId)) {
      throw new PromptLedgerError('KEY_ERASED', `data key ${keyId} was erased`)
    }
    throw new PromptLedgerError('KEY_NOT_FOUND', `data key ${keyId} is not in ${this.file}`)
  }

  has(subject: string): boolean {
    this.#reloadIfChanged()
    return subject in this.#data.keys
  }

  subjects(): string[] {
    this.#reloadIfChanged()
    return Object.keys(this.#data.keys)
  }

  /** Destroys the subject's key on disk and in memory; returns the erased key id, or null if none existed. */
  destroy(subject: string): string | null {
    this.#reloadIfChanged()
    const entry = this.#data.keys[subject]
    if (!entry) return null
    delete this.#data.keys[subject]
    this.#data.erased.push(entry.key_id)
    this.#persist()
    this.#byKeyId.delete(entry.key_id)
    this.#bySubject.delete(subject)
    return entry.key_id
  }

  /**
   * Re-wraps every data key under `next` in one atomic rewrite; data keys (and so every record)
   * are unchanged. Nothing is written unless every key unwraps under the current master.
   */
  rotate(next: KeyProvider): number {
    this.#reloadIfChanged()
    const keys: KeyFile['keys'] = {}
    for (const [subject, entry] of Object.entries(this.#data.keys)) {
      const key = this.#unwrap(entry.wrapped)
      keys[subject] = { ...entry, wrapped: Buffer.from(next.wrap(key) as Buffer).toString('base64') }
    }
    this.#data = { ...this.#data, master_key_id: next.masterKeyId, keys }
    this.#provider = next
    this.#persist()
    return Object.keys(keys).length
  }

  #remember(subject: string, keyId: string, wrapped: string): DataKey {
    const raw = this.#unwrap(wrapped)
    const dataKey = { keyId, key: createSecretKey(raw) }
    raw.fill(0)
    this.#bySubject.set(subject, dataKey)
    this.#byKeyId.set(keyId, dataKey.key)
    return dataKey
  }

  #unwrap(wrapped: string): Buffer {
    const key = this.#provider.unwrap(Buffer.from(wrapped, 'base64'))
    if (key instanceof Promise) {
      throw new PromptLedgerError('CONFIG_INVALID', 'DataKeyStore needs a synchronous KeyProvider')
    }
    return key
  }

  #persist(): void {
    writeFileAtomic(this.file, JSON.stringify(this.#data))
    this.#stamp = this.#statStamp()
  }

  #statStamp(): string {
    try {
      const st = statSync(this.file, { bigint: true })
      return `${st.ino}:${st.size}:${st.mtimeNs}`
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return ''
      throw new PromptLedgerError('IO_ERROR', `could not stat ${this.file}`, { cause: err })
    }
  }

  #reloadIfChanged(): void {
    const stamp = this.#statStamp()
    if (stamp === this.#stamp) return
    this.#stamp = stamp
    this.#bySubject.clear()
    this.#byKeyId.clear()
    if (stamp === '') {
      this.#data = { v: 1, master_key_id: this.#provider.masterKeyId, keys: {}, erased: [] }
      return
    }
    let parsed: KeyFile
    try {
      parsed = fileSchema.parse(JSON.parse(readFileSync(this.file, 'utf8')))
    } catch (cause) {
      throw new PromptLedgerError('LEDGER_CORRUPT', `${this.file} is not a valid data key file`, { cause })
    }
    if (parsed.master_key_id !== this.#provider.masterKeyId) {
      this.#stamp = ''
      throw new PromptLedgerError(
        'WRONG_MASTER_KEY',
        `data keys in ${this.file} are wrapped by master key ${parsed.master_key_id}, ` +
          `but the configured master key is ${this.#provider.masterKeyId}`,
      )
    }
    this.#data = parsed
  }
}
