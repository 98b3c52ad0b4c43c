import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs'
import path from 'node:path'
import { PromptLedgerError } from '../errors.js'
import type { KeyProvider } from './key-provider.js'
import { Keyring } from './keyring.js'
import { assertMasterKey, masterKeyId, unwrapKey, wrapKey } from './master-key.js'
import { writeFileAtomic } from './secure-file.js'

/** The keyring entry holding the encryption master key (base64). */
export const MASTER_ENTRY = 'encryption-master'
const NEXT_ENTRY = `${MASTER_ENTRY}.next`

export interface LocalKeyringProviderOptions {
  /** Data directory: the master key is the `encryption-master` entry of `<dir>/keyring.json` (0600), or `<dir>/master.key` if that file exists. */
  dir: string
}

/** Where the master key lives: two slots, `current` and `next` (the latter only during a rotation). */
interface MasterSlots {
  read(slot: 'current' | 'next'): string | undefined
  write(slot: 'current' | 'next', base64: string): void
  remove(slot: 'next'): void
  /** Makes `next` the current key (one atomic step). */
  promote(): void
}

/**
 * The default `KeyProvider`: a 32-byte master key kept in the data dir's keyring (0600), created on
 * first use. Back the keyring up apart from the data: losing it makes every encrypted record unreadable.
 *
 * @example
 * const provider = LocalKeyringProvider.open({ dir: './promptledger-data' })
 */
export class LocalKeyringProvider implements KeyProvider {
  readonly masterKeyId: string
  readonly #key: Buffer

  constructor(key: Buffer) {
    assertMasterKey(key, 'local master key')
    this.#key = key
    this.masterKeyId = masterKeyId(key)
  }

  /** Loads or creates the master key; completes a rotation interrupted after its data keys were rewritten. */
  static open(options: LocalKeyringProviderOptions): LocalKeyringProvider {
    const slots = slotsFor(options.dir)
    recoverRotation(options.dir, slots)
    const existing = slots.read('current')
    if (existing !== undefined) return new LocalKeyringProvider(decode(existing))
    const keyring = freshKeyring(options.dir)
    return new LocalKeyringProvider(decode(keyring.getOrCreate(MASTER_ENTRY, () => randomBytes(32).toString('base64'))))
  }

  wrap(dataKey: Buffer): Buffer {
    return wrapKey(this.#key, dataKey)
  }

  unwrap(wrapped: Buffer): Buffer {
    return unwrapKey(this.#key, wrapped, this.masterKeyId)
  }
}

/**
 * Rotates the local master key: the new key is stored in a `next` slot, `rewrap` re-wraps the data
 * keys under it, then it replaces the current key. A crash between the steps is repaired by the
 * next `open()`: whichever key the data key file names wins.
 *
 * @example
 * rotateLocalMasterKey(dir, (next) => dataKeys.rotate(next))
 */
export function rotateLocalMasterKey(dir: string, rewrap: (next: LocalKeyringProvider) => void): LocalKeyringProvider {
  const slots = slotsFor(dir)
  if (slots.read('current') === undefined) LocalKeyringProvider.open({ dir })
  const key = randomBytes(32)
  slots.write('next', key.toString('base64'))
  const next = new LocalKeyringProvider(key)
  try {
    rewrap(next)
  } catch (err) {
    // If the data keys were already rewritten under `next`, it must become current, not vanish.
    recoverRotation(dir, slots)
    throw err
  }
  slots.promote()
  return next
}

/** A keyring read from disk now: the shared `openKeyring` cache would miss a rotation made by another process. */
function freshKeyring(dir: string): Keyring {
  return new Keyring(path.resolve(dir))
}

function decode(base64: string): Buffer {
  const key = Buffer.from(base64.trim(), 'base64')
  assertMasterKey(key, 'local master key')
  return key
}

function slotsFor(dir: string): MasterSlots {
  const file = path.join(dir, 'master.key')
  return existsSync(file) ? fileSlots(file) : keyringSlots(freshKeyring(dir))
}

function keyringSlots(keyring: Keyring): MasterSlots {
  return {
    read: (slot) => keyring.get(slot === 'current' ? MASTER_ENTRY : NEXT_ENTRY),
    write: (slot, value) => keyring.set(slot === 'current' ? MASTER_ENTRY : NEXT_ENTRY, value),
    remove: () => void keyring.delete(NEXT_ENTRY),
    promote: () => {
      const next = keyring.get(NEXT_ENTRY)
      if (next === undefined) throw new PromptLedgerError('IO_ERROR', 'no pending master key to promote')
      // Two keyring writes; between them both entries hold the new key, so a crash loses nothing.
      keyring.set(MASTER_ENTRY, next)
      keyring.delete(NEXT_ENTRY)
    },
  }
}

function fileSlots(file: string): MasterSlots {
  const name = (slot: 'current' | 'next') => (slot === 'current' ? file : `${file}.next`)
  return {
    read: (slot) => (existsSync(name(slot)) ? readFileSync(name(slot), 'utf8') : undefined),
    write: (slot, value) => writeFileAtomic(name(slot), `${value}\n`),
    remove: () => rmSync(`${file}.next`, { force: true }),
    promote: () => renameSync(`${file}.next`, file),
  }
}

function recoverRotation(dir: string, slots: MasterSlots): void {
  const next = slots.read('next')
  if (next === undefined) return
  const dataKeys = path.join(dir, 'data-keys.json')
  const named = existsSync(dataKeys) ? (JSON.parse(readFileSync(dataKeys, 'utf8')) as { master_key_id?: string }) : {}
  if (named.master_key_id === masterKeyId(decode(next))) slots.promote()
  else slots.remove('next')
}
