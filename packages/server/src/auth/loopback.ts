import { ServerError } from '../errors.js'

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1'])

/** Whether a listen host or a peer address is the local machine only. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false
  return LOOPBACK_HOSTS.has(address) || address.startsWith('127.') || address.startsWith('::ffff:127.')
}

/** The host part of a `Host` header or an origin's authority: `localhost:7420` → `localhost`, `[::1]:7420` → `::1`. */
function hostName(authority: string): string {
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']')
    return close === -1 ? authority : authority.slice(1, close)
  }
  const colon = authority.indexOf(':')
  return (colon === -1 ? authority : authority.slice(0, colon)).toLowerCase()
}

function loopbackName(name: string): boolean {
  return isLoopback(name) || name.endsWith('.localhost')
}

/**
 * Whether a request may use a keyless server: from a loopback peer, naming a loopback host, and (when a browser sent
 * one) from a loopback origin. The peer alone is not enough: a web page whose name an attacker points at 127.0.0.1
 * (DNS rebinding) reaches the port from the user's own browser, with its own name in `Host` and `Origin`; another
 * origin's page may also send simple POSTs. Without keys there is no other line of defence, so both are refused.
 *
 * @example
 * keylessAllowed({ host: 'localhost:7420' }, '127.0.0.1') // true
 * keylessAllowed({ host: 'evil.example:7420' }, '127.0.0.1') // false
 */
function keylessAllowed(
  headers: { readonly [name: string]: string | string[] | undefined },
  remoteAddress: string | undefined,
): boolean {
  if (!isLoopback(remoteAddress)) return false
  const host = headers['host']
  // HTTP/1.1 requires Host; a request without one (HTTP/1.0 tools) comes from no browser.
  if (typeof host === 'string' && !loopbackName(hostName(host))) return false
  const origin = headers['origin']
  if (typeof origin === 'string' && origin !== 'null') {
    const at = origin.indexOf('://')
    if (at === -1 || !loopbackName(hostName(origin.slice(at + 3)))) return false
  } else if (origin === 'null') return false
  return true
}

/**
 * The decision for a request to a server with no active key, one rule for the API and the proxy: null lets it in (as
 * the `local` actor), else the 401 message. A server that listens beyond loopback (`requireKeys`) admits nobody.
 */
export function keylessDenial(
  requireKeys: boolean,
  headers: { readonly [name: string]: string | string[] | undefined },
  remoteAddress: string | undefined,
): string | null {
  if (requireKeys) return 'no active API key: this server listens beyond loopback and requires one'
  if (keylessAllowed(headers, remoteAddress)) return null
  return isLoopback(remoteAddress)
    ? 'no API keys are configured: this server serves requests to a loopback host name from loopback origins only'
    : 'no API keys are configured: this server serves loopback clients only'
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
