/** Exit statuses of the `promptledger` command. */
export const EXIT_OK = 0
/** The command ran and found a problem (e.g. verify found tampering). */
export const EXIT_PROBLEM = 1
/** Bad flags or arguments. */
export const EXIT_USAGE = 2

/** An error the bin prints as one line and exits with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: number
  constructor(message: string, exitCode = EXIT_USAGE) {
    super(message)
    this.name = 'CliError'
    this.exitCode = exitCode
  }
}
