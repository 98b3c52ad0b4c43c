import { createDecipheriv, type KeyObject } from 'node:crypto'

/** The `enc.alg` of records written before `aes-256-ctr-hmac-sha256`; they are read, never written. */
export const GCM_ALG = 'aes-256-gcm'
const GCM_IV_BYTES = 12
const GCM_TAG_BYTES = 16

/**
 * Opens an `aes-256-gcm` envelope: AES-256-GCM under the data key itself, 96-bit IV, 128-bit tag,
 * the record id as additional data. Returns null when authentication fails.
 *
 * @example
 * const clear = openGcm(key, iv, tag, ct, record.id)
 */
export function openGcm(key: KeyObject, iv: Buffer, tag: Buffer, ct: Buffer, recordId: string): Buffer | null {
  if (iv.length !== GCM_IV_BYTES || tag.length !== GCM_TAG_BYTES) return null
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv)
    decipher.setAAD(Buffer.from(recordId))
    decipher.setAuthTag(tag)
    return Buffer.concat([decipher.update(ct), decipher.final()])
  } catch {
    // final() throws on a tag mismatch: that is the answer, not an error to keep.
    return null
  }
}
