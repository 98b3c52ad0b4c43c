import { createHash, createSecretKey, type KeyObject } from 'node:crypto'
import path from 'node:path'
import { PromptLedgerError } from '../errors.js'
import {
  beginAddKeys,
  beginRewrite,
  fileStamp,
  type KeyEntry,
  type KeyFile,
  type KeyFilesState,
  type KeyFilesWrite,
  loadKeyFiles,
  syncKeyLog,
} from './key-file.js'
import type { KeyProvider } from './key-provider.js'
import { pooledRandomBytes } from './random-pool.js'

export interface DataKeyStoreOptions {
  /** Directory holding `data-keys.json` (0600). */
  dir: string
  provider: KeyProvider
  /**
   * How long `getOrCreate` (the encrypt hot path) trusts its cache before re-checking the file for
   * changes by another process; default 1000 ms. Reads (`get`) always re-check.
   */
  recheckMs?: number
  /**
   * `immediate` (default) persists a new key before returning it; `batch` keeps new keys pending
   * until `commit()`, which the caller must run before writing any record encrypted with them (the
   * ledger does so once per batch: one fsync per batch instead of one per new user). In batch mode a
   * subject this process has not seen yet is also looked up in the file once per batch (at the
   * first new subject after a commit) rather than once per new subject: a key another process made
   * during the batch is found at the next batch, and until then a second key for the subject may be
   * made (the file holds both; each decrypts its own records).
   */
  persist?: 'immediate' | 'batch'
}

/** A write of pending keys begun, and the keys it writes. */
interface PendingAdd {
  update: KeyFilesWrite
  entries: Array<[string, KeyEntry]>
}

export interface DataKey {
  keyId: string
  /** The AES key, imported once (a KeyObject is cheaper per cipher than raw bytes). */
  key: KeyObject
  /**
   * The subject's latest erasure, when it had one before this key was made: a record captured at or before
   * `erasure.at` must not be encrypted under this key (see `Encryptor`), but read as erased.
   */
  erasure?: Erasure
}

/** An erasure of a subject: when (ms since the epoch) and a key id it destroyed, which reads as erased. */
export interface Erasure {
  at: number
  keyId: string
}

/** How an erasure names its subject in the key file: not in clear. */
function subjectDigest(subject: string): string {
  return createHash('sha256').update(subject).digest('hex')
}

/**
 * Data keys per subject (a user, or the tenant for records without one), wrapped by the master key
 * and kept in `<dir>/data-keys.json` with the keys added since in `<dir>/data-keys.log` (see
 * `KeyFilesState`). `destroy()` rewrites the file without the subject's keys (temp file + fsync +
 * rename) and removes the log, so erasure leaves no copy of the key in either.
 *
 * Several processes may share the files (an app's ledger, the server, the CLI): writes merge under a
 * lock, and readers notice another process's change by the files' identities (inode, size, mtime),
 * reading only the log's new lines when nothing else changed.
 *
 * @example
 * const keys = DataKeyStore.open({ dir: './promptledger-data', provider })
 * const { keyId, key } = keys.getOrCreate('user:42')
 */
export class DataKeyStore {
  readonly file: string
  #provider: KeyProvider
  /** The files as last read or written, the log's keys merged into the snapshot's. */
  #files: KeyFilesState
  /** The log's bytes known durable: read or written under the lock, or fsynced here (see `syncKeyLog`). */
  #durableLogEnd = 0
  readonly #recheckMs: number
  readonly #batch: boolean
  #checkedAt = 0
  /** Batch mode: the file was checked for other processes' keys since the last `commit()`. */
  #checkedThisBatch = false
  /** Created here but not yet in the file (batch mode). */
  readonly #pending = new Map<string, KeyEntry>()
  #bySubject = new Map<string, DataKey>()
  /**
   * The newest entry per subject, from the file and pending keys: a first record of a new subject looked
   * for its key by scanning every entry, which made each new user cost O(keys) (0.75 ms at 5,000 users).
   */
  #newest = new Map<string, [string, KeyEntry]>()
  #byKeyId = new Map<string, KeyObject>()
  /** The latest erasure per subject digest, and every erased key id, from the snapshot (see `#reindex`). */
  #erasures = new Map<string, Erasure>()
  #erasedIds = new Set<string>()
  /** The `commitAsync` under way: its keys are written, not yet durable. */
  #committing: { begun: PendingAdd; done: Promise<void> } | null = null

  private constructor(options: DataKeyStoreOptions) {
    this.file = path.join(options.dir, 'data-keys.json')
    this.#provider = options.provider
    this.#recheckMs = options.recheckMs ?? 1000
    this.#batch = options.persist === 'batch'
    this.#files = { data: this.#empty(), snapshotStamp: '', logStamp: '', logEnd: 0, stale: false }
  }

  /**
   * Opens the store; throws `WRONG_MASTER_KEY` if the file was made under another master key. A log left
   * stale by an erasure or rotation that stopped short (see `KeyFilesState.stale`) is folded in at once.
   */
  static open(options: DataKeyStoreOptions): DataKeyStore {
    const store = new DataKeyStore(options)
    store.#reloadIfChanged()
    if (store.#files.stale) store.#write((file) => file)
    return store
  }

  /** The id of the master key that wraps the stored keys. */
  get masterKeyId(): string {
    return this.#files.data.master_key_id
  }

  /** The subject's current data key, created on first need (persisted now, or at `commit()` in batch mode). */
  getOrCreate(subject: string): DataKey {
    // A stat per record cost more than the encryption itself; another process's erasure is picked up
    // within `recheckMs` (records encrypted meanwhile under the erased key read as erased, as they should).
    this.#recheck()
    const cached = this.#bySubject.get(subject)
    if (cached) return cached
    // Hot path when many users are new: a stat per new subject cost as much as making its key, so
    // batch mode checks once per batch.
    if (!this.#batch || !this.#checkedThisBatch) {
      this.#reloadIfChanged()
      this.#checkedThisBatch = true
    }
    const existing = this.#currentEntry(subject)
    if (existing) {
      // Another process's key, maybe read from a log line whose fsync is still under way: durable before use.
      if (this.#files.logEnd > this.#durableLogEnd) {
        syncKeyLog(this.file)
        this.#durableLogEnd = this.#files.logEnd
      }
      return this.#remember(existing[0], existing[1])
    }
    const raw = pooledRandomBytes(32)
    const keyId = pooledRandomBytes(12).toString('hex')
    const entry: KeyEntry = {
      subject,
      wrapped: Buffer.from(this.#provider.wrap(raw) as Buffer).toString('base64'),
      created: new Date().toISOString(),
    }
    this.#pending.set(keyId, entry)
    this.#index(keyId, entry)
    if (!this.#batch) this.commit()
    const dataKey = this.#dataKey(subject, keyId, raw)
    raw.fill(0)
    this.#bySubject.set(subject, dataKey)
    this.#byKeyId.set(keyId, dataKey.key)
    return dataKey
  }

  /** Reads the files again when `recheckMs` has passed since the last look (the encrypt hot path's bound). */
  #recheck(): void {
    const now = Date.now()
    if (now - this.#checkedAt >= this.#recheckMs) {
      this.#reloadIfChanged()
      this.#checkedAt = now
      this.#checkedThisBatch = true
    }
  }

  /**
   * Whether `keyId` was destroyed by an erasure (another process's too, within `recheckMs`). A store asks before
   * indexing a record's plaintext: one encrypted under the key before the erasure, or sealed as erased after it,
   * must leave no searchable text.
   */
  isErased(keyId: string): boolean {
    this.#recheck()
    return this.#erasedIds.has(keyId)
  }

  /** A key for `subject`, carrying the subject's latest erasure if it has one. */
  #dataKey(subject: string, keyId: string, raw: Buffer): DataKey {
    const key = createSecretKey(raw)
    const erasure = this.#erasures.size > 0 ? this.#erasures.get(subjectDigest(subject)) : undefined
    return erasure ? { keyId, key, erasure } : { keyId, key }
  }

  /** Persists keys created since the last commit (one locked, fsynced rewrite), and ends the batch. */
  commit(): void {
    this.#settle()
    this.#checkedThisBatch = false
    if (this.#pending.size === 0) return
    const begun = this.#beginAdd()
    this.#added(begun, begun.update.finishSync())
  }

  /**
   * `commit()` with the disk's part off the event loop: the new file is written at once, its fsyncs run on
   * the thread pool, and the promise resolves once the keys are durable (write records encrypted with
   * them only then). A batch that names a new user then costs the caller's thread no wait for the disk (two
   * fsyncs, 1–30 ms on the disks measured). One commit runs at a time; one asked for meanwhile follows it.
   * Any synchronous write of the file (`commit`, `destroy`, `rotate`) completes a running one first.
   */
  commitAsync(): Promise<void> {
    if (this.#committing) return this.#committing.done.then(() => this.commitAsync())
    this.#checkedThisBatch = false
    if (this.#pending.size === 0) return Promise.resolve()
    let begun: PendingAdd
    try {
      begun = this.#beginAdd()
    } catch (err) {
      return Promise.reject(err)
    }
    const running = {
      begun,
      done: begun.update.finish().then(
        (state) => {
          if (this.#committing === running) this.#added(begun, state)
        },
        (err: unknown) => {
          if (this.#committing === running) this.#committing = null
          throw err
        },
      ),
    }
    this.#committing = running
    return running.done
  }

  /**
   * Begins writing the pending keys (see `beginAddKeys`: appended to the log, O(new keys)), remembering which
   * ones it writes. Should the write fail, the entries are still pending, so the next commit writes them.
   */
  #beginAdd(): PendingAdd {
    const entries = [...this.#pending]
    const update = beginAddKeys(
      this.file,
      this.#empty,
      this.#files,
      entries,
      (data) => this.#checkMaster(data),
      this.#onKey,
    )
    return { update, entries }
  }

  /** A write of pending keys is durable: they are the files' now. */
  #added({ update, entries }: PendingAdd, state: KeyFilesState): void {
    this.#committing = null
    for (const [keyId] of entries) this.#pending.delete(keyId)
    this.#adopt(state, update.replacedUnderUs)
  }

  /** Completes a `commitAsync` still running, on this thread, before the file is written again. */
  #settle(): void {
    const running = this.#committing
    if (!running) return
    let state: KeyFilesState
    try {
      state = running.begun.update.finishSync()
    } catch {
      // Its keys stay pending for the next commit; its promise reports the failure.
      this.#committing = null
      return
    }
    this.#added(running.begun, state)
  }

  /** The key with this id; throws `KEY_ERASED` for a destroyed key, `KEY_NOT_FOUND` for an unknown one. */
  get(keyId: string): KeyObject {
    // An erasure or rotation replaces the snapshot, so a key in hand needs only the snapshot's stat (a read of
    // many records calls this once a record); the log is looked at when the key is not in hand.
    if (this.#committing === null && fileStamp(this.file) !== this.#files.snapshotStamp) this.#reloadIfChanged()
    const cached = this.#byKeyId.get(keyId)
    if (cached) return cached
    this.#reloadIfChanged()
    const entry = this.#files.data.keys[keyId] ?? this.#pending.get(keyId)
    if (entry) return this.#remember(keyId, entry).key
    if (this.#erasedIds.has(keyId)) throw new PromptLedgerError('KEY_ERASED', `data key ${keyId} was erased`)
    throw new PromptLedgerError('KEY_NOT_FOUND', `data key ${keyId} is not in ${this.file}`)
  }

  has(subject: string): boolean {
    this.#reloadIfChanged()
    return this.#currentEntry(subject) !== undefined
  }

  /** Subjects holding a key. */
  subjects(): string[] {
    this.#reloadIfChanged()
    return [...new Set([...Object.values(this.#files.data.keys), ...this.#pending.values()].map((e) => e.subject))]
  }

  /**
   * Destroys every key of the subject, on disk and in memory, and records the erasure (its time `at`, default now):
   * records of the subject captured until then that are encrypted later are sealed as erased (see `DataKey.erasure`).
   * Returns the erased key ids (empty if the subject had none; the erasure is recorded all the same).
   */
  destroy(subject: string, at = Date.now()): string[] {
    for (const [keyId, entry] of this.#pending) if (entry.subject === subject) this.#pending.delete(keyId)
    let erased: string[] = []
    this.#write((file) => {
      erased = Object.keys(file.keys).filter((id) => file.keys[id]!.subject === subject)
      const keys = Object.fromEntries(Object.entries(file.keys).filter(([, e]) => e.subject !== subject))
      // A subject with no key yet (its first records still in flight) gets a key id that was never a key: what
      // such records are labelled with then reads as erased too.
      const label = erased.at(-1) ?? pooledRandomBytes(12).toString('hex')
      const digest = subjectDigest(subject)
      const erasures = [
        ...file.erasures.filter((e) => e.subject_sha256 !== digest),
        { subject_sha256: digest, at, key_id: label },
      ]
      return { ...file, keys, erased: [...file.erased, ...erased, ...(erased.length > 0 ? [] : [label])], erasures }
    })
    this.#bySubject.delete(subject)
    for (const id of erased) this.#byKeyId.delete(id)
    return erased
  }

  /**
   * Re-wraps every data key under `next` in one atomic rewrite; data keys (and so every record)
   * are unchanged. Nothing is written unless every key unwraps under the current master.
   */
  rotate(next: KeyProvider): number {
    this.commit()
    let count = 0
    this.#write((file) => {
      const keys: KeyFile['keys'] = {}
      for (const [keyId, entry] of Object.entries(file.keys)) {
        const raw = this.#unwrap(entry.wrapped)
        keys[keyId] = { ...entry, wrapped: Buffer.from(next.wrap(raw) as Buffer).toString('base64') }
        raw.fill(0)
      }
      count = Object.keys(keys).length
      return { ...file, master_key_id: next.masterKeyId, keys }
    })
    this.#provider = next
    return count
  }

  /** The newest key of a subject, from the file or pending. */
  #currentEntry(subject: string): [string, KeyEntry] | undefined {
    return this.#newest.get(subject)
  }

  /** Rebuilds `#newest` after the snapshot was replaced (a reload or a write). */
  #reindex(): void {
    this.#newest.clear()
    const keys = this.#files.data.keys
    for (const keyId in keys) this.#index(keyId, keys[keyId]!)
    for (const [keyId, entry] of this.#pending) this.#index(keyId, entry)
    this.#erasedIds = new Set(this.#files.data.erased)
    this.#erasures.clear()
    for (const e of this.#files.data.erasures) {
      const seen = this.#erasures.get(e.subject_sha256)
      if (!seen || e.at > seen.at) this.#erasures.set(e.subject_sha256, { at: e.at, keyId: e.key_id })
    }
  }

  /** Indexes a key read from the log (another process's, or ours read back). */
  readonly #onKey = (keyId: string, entry: KeyEntry): void => this.#index(keyId, entry)

  #index(keyId: string, entry: KeyEntry): void {
    const best = this.#newest.get(entry.subject)
    if (!best || entry.created > best[1].created) this.#newest.set(entry.subject, [keyId, entry])
  }

  #remember(keyId: string, entry: KeyEntry): DataKey {
    const raw = this.#unwrap(entry.wrapped)
    const dataKey = this.#dataKey(entry.subject, keyId, raw)
    raw.fill(0)
    this.#bySubject.set(entry.subject, dataKey)
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

  readonly #empty = (): KeyFile => ({
    v: 2,
    master_key_id: this.#provider.masterKeyId,
    keys: {},
    erased: [],
    erasures: [],
  })

  #checkMaster(file: KeyFile): void {
    if (file.master_key_id !== this.#provider.masterKeyId) {
      throw new PromptLedgerError(
        'WRONG_MASTER_KEY',
        `data keys in ${this.file} are wrapped by master key ${file.master_key_id}, ` +
          `but the configured master key is ${this.#provider.masterKeyId}`,
      )
    }
  }

  /** Rewrites the snapshot with `change` applied under the lock, the log folded in and removed (see `beginRewrite`). */
  #write(change: (file: KeyFile) => KeyFile): void {
    this.#settle()
    const write = beginRewrite(this.file, this.#empty, this.#files, (file) => {
      this.#checkMaster(file)
      return change(file)
    })
    this.#adopt(write.finishSync(), write.replacedUnderUs)
  }

  /**
   * The files as written. Only the log grew (the same `data`, keys merged in and indexed as read): nothing to
   * rebuild. A new snapshot (a write of ours, or another process's erasure or rotation read under the lock):
   * the index is rebuilt, and when another process replaced it, cached keys go (some may be erased).
   */
  #adopt(state: KeyFilesState, replacedUnderUs: boolean): void {
    const replaced = state.data !== this.#files.data
    this.#files = state
    this.#durableLogEnd = state.logEnd
    if (replaced) this.#reindex()
    if (replacedUnderUs) this.#dropCached()
  }

  #dropCached(): void {
    this.#bySubject.clear()
    this.#byKeyId.clear()
  }

  #reloadIfChanged(): void {
    // Our own write is under way (see commitAsync): the files are about to be ours, not another process's.
    if (this.#committing) return
    const next = loadKeyFiles(this.file, this.#empty, this.#files, this.#onKey)
    if (next === this.#files) return
    this.#checkMaster(next.data)
    const replaced = next.data !== this.#files.data
    this.#files = next
    if (!replaced) return
    this.#reindex()
    // Another process replaced the snapshot (an erasure, a rotation): drop cached keys, keep pending ones.
    this.#dropCached()
  }
}
