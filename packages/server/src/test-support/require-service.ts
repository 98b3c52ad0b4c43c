import { describe, it } from 'vitest'

/**
 * For tests that need a server this machine may not run (PostgreSQL, ClickHouse): when `reachable` is false, says so
 * loudly and skips (locally), or registers a failing test (under `CI=true`, where the server must be there). Returns
 * whether the tests can run.
 *
 * @example
 * const reachable = requireService('PostgreSQL storage tests', 'PostgreSQL', url, await postgresReachable(), hint)
 */
export function requireService(what: string, service: string, where: string, reachable: boolean, hint: string) {
  if (reachable) return true
  if (process.env['CI'] === 'true') {
    describe(`${what}: prerequisites`, () => {
      it(`has ${service} under CI`, () => {
        throw new Error(`${service} is not reachable at ${where} under CI=true (${hint})`)
      })
    })
  } else {
    console.warn(`\n!!! ${what} SKIPPED: ${service} is not reachable at ${where} (${hint}). !!!\n`)
  }
  return false
}
