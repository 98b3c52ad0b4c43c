import { ServerError } from '../errors.js'

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1'])

/** Whether a listen host or a peer address is the local machine only. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false
  return LOOPBACK_HOSTS.has(address) || address.startsWith('127.') || address.startsWith('::ffff:127.')
}

/**
 * Refuses to expose a keyless server: without API keys anyone who reaches the port could read every
 * record, so a non-loopback host is allowed only once a key exists. Returns the line to print at start.
 *
 * @example
 * console.error(checkListenHost('127.0.0.1', keys.hasActiveKeys()))
 */
export function checkListenHost(host: string, hasKeys: boolean): string {
  if (hasKeys) return 'API keys required on every route but /healthz'
  if (!isLoopback(host)) {
    throw new ServerError(
      'CONFIG_INVALID',
      `host: refusing to listen on ${host} without API keys; create one first with ` +
        '`promptledger keys create --role admin --name <name> --data <dir>`',
      { path: 'host' },
    )
  }
  return 'no API keys configured: serving loopback clients only (create one with `promptledger keys create`)'
}
