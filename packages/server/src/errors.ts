/** Every error the server raises carries one of these codes; the API maps them to HTTP statuses. */
export type ServerErrorCode =
  | 'BAD_REQUEST'
  | 'VALIDATION_FAILED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UPSTREAM_ERROR'
  | 'STORAGE_ERROR'
  | 'CONFIG_INVALID'
  | 'INTERNAL'

export class ServerError extends Error {
  readonly code: ServerErrorCode
  /** Where in the input the problem is, e.g. `[3].request.model`. */
  readonly path?: string
  constructor(code: ServerErrorCode, message: string, options?: { cause?: unknown; path?: string }) {
    super(message, options)
    this.name = 'ServerError'
    this.code = code
    if (options?.path !== undefined) this.path = options.path
  }
}
