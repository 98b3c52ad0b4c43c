import { createCipheriv, createDecipheriv, createHash } from 'node:crypto'
import { PromptLedgerError } from '../errors.js'
import { pooledRandomBytes } from './random-pool.js'

/** AES-256-GCM key wrap layout: 12-byte IV, 16-byte tag, then the wrapped key. */
const IV_BYTES = 12
const TAG_BYTES = 16
const WRAP_AAD = Buffer.from('promptledger/data-key/v1')

/**
 * A stable, non-secret identifier of a master key: a domain-separated SHA-256 prefix. The key is
 * 256 random bits, so its hash reveals nothing usable.
 */
export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update('promptledger/master-key-id/v1\0').update(key).digest('hex').slice(0, 16)
}

/** Checks a master key's length so that a truncated file or env var fails with a clear error. */
export function assertMasterKey(key: Buffer, source: string): void {
  if (key.length !== 32) {
    throw new PromptLedgerError('CONFIG_INVALID', `${source}: a master key must be 32 bytes, got ${key.length}`)
  }
}

/** Wraps a data key under `master` (AES-256-GCM, fresh IV). */
export function wrapKey(master: Buffer, dataKey: Buffer): Buffer {
  const iv = pooledRandomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', master, iv)
  cipher.setAAD(WRAP_AAD)
  const ct = Buffer.concat([cipher.update(dataKey), cipher.final()])
  return Buffer.concat([iv, cipher.getAuthTag(), ct])
}

/** Unwraps a data key; a failed tag means the wrap was made by another master key. */
export function unwrapKey(master: Buffer, wrapped: Buffer, id: string): Buffer {
  if (wrapped.length <= IV_BYTES + TAG_BYTES) {
    throw new PromptLedgerError('WRONG_MASTER_KEY', 'wrapped data key is truncated')
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', master, wrapped.subarray(0, IV_BYTES))
    decipher.setAAD(WRAP_AAD)
    decipher.setAuthTag(wrapped.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
    return Buffer.concat([decipher.update(wrapped.subarray(IV_BYTES + TAG_BYTES)), decipher.final()])
  } catch (cause) {
    throw new PromptLedgerError('WRONG_MASTER_KEY', `data key was not wrapped by master key ${id}`, { cause })
  }
}
