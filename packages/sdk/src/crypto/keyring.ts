import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync } from 'node:fs'
import path from 'node:path'
import { PromptLedgerError } from '../errors.js'
import { writeFileAtomic } from './secure-file.js'

/** One named secret in the keyring; `value` is base64 (binary keys) or text (PEM). */
interface KeyringEntry {
  created: string
  value: string
}

interface KeyringFile {
  version: 1
  keys: Record<string, KeyringEntry>
}

/**
 * The data dir's keyring: `<dir>/keyring.json`, mode 0600 inside a 0700 dir, created on first use.
 * Named entries hold the prompt-hash HMAC key, the checkpoint signing key, the encryption master key…
 * Reads are served from memory after the first load; a write replaces the file atomically.
 *
 * @example
 * const keyring = openKeyring('./promptledger-data')
 * const key = keyring.getOrCreate('prompt-hmac', () => randomBytes(32).toString('base64'))
 */
export class Keyring {
  readonly file: string
  #data: KeyringFile | undefined

  constructor(dir: string) {
    this.file = path.join(dir, 'keyring.json')
  }

  /** The entry's value, or undefined when absent. */
  get(name: string): string | undefined {
    return this.#load().keys[name]?.value
  }

  /**
   * Returns the named entry, creating it with `generate()` when it does not exist yet.
   * The file is re-read before the write so that entries added by another process are kept.
   */
  getOrCreate(name: string, generate: () => string): string {
    const existing = this.get(name)
    if (existing !== undefined) return existing
    return this.#locked(() => {
      const data = this.#load()
      const again = data.keys[name]
      if (again) return again.value
      data.keys[name] = { created: new Date().toISOString(), value: generate() }
      this.#save(data)
      return data.keys[name].value
    })
  }

  /** Stores or replaces an entry. */
  set(name: string, value: string): void {
    this.#locked(() => {
      const data = this.#load()
      data.keys[name] = { created: new Date().toISOString(), value }
      this.#save(data)
    })
  }

  /** Removes an entry (e.g. a destroyed key); returns whether it existed. */
  delete(name: string): boolean {
    return this.#locked(() => {
      const data = this.#load()
      if (!(name in data.keys)) return false
      delete data.keys[name]
      this.#save(data)
      return true
    })
  }

  /**
   * Runs a read-modify-write under `keyring.json.lock` (O_EXCL), re-reading the file first: processes
   * sharing a data dir start at the same moment, and without the lock two of them could each create a
   * different signing key. A lock older than 10 s is left over from a crash and is taken over.
   */
  #locked<T>(fn: () => T): T {
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 })
    const lock = `${this.file}.lock`
    const deadline = Date.now() + 5000
    let fd: number | undefined
    while (fd === undefined) {
      try {
        fd = openSync(lock, 'wx', 0o600)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
          throw new PromptLedgerError('IO_ERROR', `could not lock ${this.file}`, { cause: err })
        try {
          if (Date.now() - statSync(lock).mtimeMs > 10_000) unlinkSync(lock)
        } catch {
          // removed by its owner meanwhile: try again
        }
        if (Date.now() > deadline)
          throw new PromptLedgerError('IO_ERROR', `keyring ${this.file} stays locked by ${lock}`)
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5) // construction-time only: a short blocking wait
      }
    }
    try {
      this.#data = undefined
      return fn()
    } finally {
      closeSync(fd)
      unlinkSync(lock)
    }
  }

  #load(): KeyringFile {
    if (this.#data) return this.#data
    let text: string
    try {
      text = readFileSync(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.#data = { version: 1, keys: {} }
        return this.#data
      }
      throw new PromptLedgerError('IO_ERROR', `could not read keyring ${this.file}`, { cause: err })
    }
    try {
      const parsed = JSON.parse(text) as KeyringFile
      if (parsed?.version !== 1 || typeof parsed.keys !== 'object' || parsed.keys === null) throw new Error('bad shape')
      this.#data = parsed
      return parsed
    } catch (cause) {
      // Never include the file's text: it holds secrets.
      throw new PromptLedgerError('CONFIG_INVALID', `keyring ${this.file} is not a valid keyring file`, { cause })
    }
  }

  #save(data: KeyringFile): void {
    const dir = path.dirname(this.file)
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    writeFileAtomic(this.file, `${JSON.stringify(data, null, 2)}\n`)
    chmodSync(this.file, 0o600)
    this.#data = data
  }
}

const keyrings = new Map<string, Keyring>()

/** The keyring of a data dir; one instance per resolved path so that all users share the cache. */
export function openKeyring(dir: string): Keyring {
  const resolved = path.resolve(dir)
  let keyring = keyrings.get(resolved)
  if (!keyring) {
    keyring = new Keyring(resolved)
    keyrings.set(resolved, keyring)
  }
  return keyring
}
