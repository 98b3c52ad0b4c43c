/**
 * Wraps and unwraps data keys under a master key. A local keyring file is the default; a master key
 * from an environment variable suits containers; a cloud KMS fits the same interface.
 */
export interface KeyProvider {
  /** Identifies the master key a data key was wrapped with, so rotation can find old wraps. */
  readonly masterKeyId: string
  wrap(dataKey: Buffer): Promise<Buffer> | Buffer
  /** Throws `WRONG_MASTER_KEY` when the wrapped key was not made by this master key. */
  unwrap(wrapped: Buffer): Promise<Buffer> | Buffer
}
