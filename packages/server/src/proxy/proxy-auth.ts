import type { ApiKeyStore } from '../auth/api-key-store.js'
import { bearer } from '../auth/auth-hook.js'
import { keylessDenial } from '../auth/loopback.js'
import { allows } from '../auth/roles.js'

/** Why a proxied request was refused; the body matches what the API's auth hook answers. */
export interface ProxyDenial {
  status: 401 | 403
  message: string
}

/**
 * The parts of a request the decision reads: a Node `IncomingMessage` is one, and the socket forwarder passes the
 * same shape from its own head parser.
 */
export interface ProxyAuthRequest {
  headers: { readonly [name: string]: string | string[] | undefined }
  socket: { readonly remoteAddress?: string | undefined }
}

/** Decides one proxied request before anything is read or forwarded: null lets it through. */
export type ProxyAuthorizer = (req: ProxyAuthRequest) => ProxyDenial | null

/**
 * The collector's key for a proxied call: `x-promptledger-key` only. `Authorization` belongs to the provider and is
 * forwarded as sent, so the collector never reads its key from there: a key presented there would travel on to the
 * provider.
 */
function presented(req: ProxyAuthRequest): string | undefined {
  const own = req.headers['x-promptledger-key']
  return typeof own === 'string' && own !== '' ? own : undefined
}

/** A collector key (`pl_<role>_…`) in `Authorization`, where the provider's key belongs. */
function collectorKeyInAuthorization(req: ProxyAuthRequest): boolean {
  const auth = req.headers['authorization']
  return typeof auth === 'string' && (bearer(auth)?.startsWith('pl_') ?? false)
}

/**
 * The auth hook's decision for the proxy's routes (role `ingest`), callable on a raw Node request so proxied calls
 * can skip the web framework. Same order and outcomes as `createAuthHook`: keyless servers serve loopback only, a
 * presented key is checked against `auth.db` on every call (so a revoke takes effect at once) in constant time.
 *
 * @example
 * const authorize = createProxyAuthorizer(security.keys)
 * const denial = authorize(req) // null, or { status: 401, message: 'missing API key: …' }
 */
export function createProxyAuthorizer(keys: ApiKeyStore, requireKeys = false): ProxyAuthorizer {
  return (req) => {
    // Never forwarded, keys or not: the provider would receive the collector's key.
    if (collectorKeyInAuthorization(req)) {
      return {
        status: 401,
        message:
          'a promptledger key was sent in Authorization: send it in x-promptledger-key (Authorization goes to the provider)',
      }
    }
    if (!keys.hasActiveKeys()) {
      const denial = keylessDenial(requireKeys, req.headers, req.socket.remoteAddress)
      return denial === null ? null : { status: 401, message: denial }
    }
    const key = presented(req)
    if (!key)
      return {
        status: 401,
        message: 'missing API key: send it in x-promptledger-key (Authorization goes to the provider)',
      }
    const result = keys.check(key)
    if (!result.ok) return { status: 401, message: result.reason === 'revoked' ? 'API key revoked' : 'invalid API key' }
    if (!allows(result.key.role, 'ingest')) {
      return { status: 403, message: `role ${result.key.role} may not use this route (requires ingest)` }
    }
    return null
  }
}
