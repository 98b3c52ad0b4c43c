import type { ApiKeyStore } from '../auth/api-key-store.js'
import { isLoopback } from '../auth/loopback.js'
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

/** The collector's key for a proxied call: `x-promptledger-key` first, so the provider's `Authorization` passes on. */
function presented(req: ProxyAuthRequest): string | undefined {
  const own = req.headers['x-promptledger-key']
  if (typeof own === 'string' && own !== '') return own
  const auth = req.headers['authorization']
  return typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7).trim() : undefined
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
export function createProxyAuthorizer(keys: ApiKeyStore): ProxyAuthorizer {
  return (req) => {
    if (!keys.hasActiveKeys()) {
      if (isLoopback(req.socket.remoteAddress)) return null
      return { status: 401, message: 'no API keys are configured: this server serves loopback clients only' }
    }
    const key = presented(req)
    if (!key) return { status: 401, message: 'missing API key: send Authorization: Bearer <key> or x-promptledger-key' }
    const result = keys.check(key)
    if (!result.ok) return { status: 401, message: result.reason === 'revoked' ? 'API key revoked' : 'invalid API key' }
    if (!allows(result.key.role, 'ingest')) {
      return { status: 403, message: `role ${result.key.role} may not use this route (requires ingest)` }
    }
    return null
  }
}
