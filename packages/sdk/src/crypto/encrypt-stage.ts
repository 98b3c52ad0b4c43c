import { KEEPS_CANONICAL, type NamedStage } from '../pipeline/stage.js'
import { DataKeyStore } from './data-key-store.js'
import { Encryptor } from './encryptor.js'
import { EnvKeyProvider } from './env-key-provider.js'
import type { KeyProvider } from './key-provider.js'
import { LocalKeyringProvider } from './local-keyring-provider.js'

export interface OpenEncryptorOptions {
  /** Data dir holding `data-keys.json` (and the keyring when no master key is given). */
  dir: string
  /** Base64 master key (32 bytes) from the app's config, e.g. its PROMPTLEDGER_MASTER_KEY; default: the keyring's. */
  masterKey?: string
  /** Names the tenant key for records without a user. */
  tenant?: string
  /** A custom master key provider (a cloud KMS); wins over `masterKey`. */
  provider?: KeyProvider
  /** See `DataKeyStoreOptions.persist`; the ledger uses `batch` and commits once per batch. */
  persist?: 'immediate' | 'batch'
}

/**
 * The encryptor of a data dir. Throws `WRONG_MASTER_KEY` at once when the configured master key is
 * not the one the data keys were wrapped with, before anything is written.
 *
 * @example
 * const encryptor = openEncryptor({ dir: './promptledger-data' })
 * const clear = encryptor.readRecord(record)
 */
export function openEncryptor(options: OpenEncryptorOptions): Encryptor {
  const provider =
    options.provider ??
    (options.masterKey
      ? new EnvKeyProvider({ masterKeyBase64: options.masterKey, source: 'encrypt.masterKey' })
      : LocalKeyringProvider.open({ dir: options.dir }))
  const keys = DataKeyStore.open({
    dir: options.dir,
    provider,
    ...(options.persist ? { persist: options.persist } : {}),
  })
  return new Encryptor({ keys, ...(options.tenant ? { tenant: options.tenant } : {}) })
}

/**
 * The pipeline's `encrypt` stage: after redaction and signals, before the seal, so the chain hashes
 * ciphertext and erasing a user's key never breaks it. Runs on the batch worker, off the caller's
 * stack; per record it costs an XOR with keystream made ahead, two one-shot hashes, and a shallow
 * copy that puts `enc` in canonical key order for the seal.
 *
 * @example
 * ledger.insertStage(encryptStage(openEncryptor({ dir })), 'redact')
 */
export function encryptStage(encryptor: Encryptor): NamedStage {
  return {
    name: 'encrypt',
    run: (record) => encryptor.encryptForSeal(record),
    commit: () => encryptor.commitKeys(),
    commitAsync: () => encryptor.commitKeysAsync(),
    // The envelope's keys are in order and `enc` goes to its sorted place (see `withEnc`); content
    // placeholders replace values without moving keys.
    [KEEPS_CANONICAL]: true,
  }
}
