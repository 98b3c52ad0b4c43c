/** Every error the SDK raises carries one of these codes. */
export type PromptLedgerErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_RECORD'
  | 'QUEUE_FULL'
  | 'CLOSED'
  | 'EXPORT_FAILED'
  | 'LEDGER_CORRUPT'
  | 'CHAIN_BROKEN'
  | 'BAD_SIGNATURE'
  | 'KEY_NOT_FOUND'
  | 'KEY_ERASED'
  | 'WRONG_MASTER_KEY'
  | 'DECRYPT_FAILED'
  | 'CONFIG_INVALID'
  | 'IO_ERROR'

/**
 * Base class of the SDK's errors: a literal `code` to branch on and the underlying `cause`.
 *
 * @example
 * try { await ledger.flush() } catch (err) { if (err instanceof PromptLedgerError && err.code === 'CLOSED') … }
 */
export class PromptLedgerError extends Error {
  readonly code: PromptLedgerErrorCode
  constructor(code: PromptLedgerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PromptLedgerError'
    this.code = code
  }
}
