import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ApiKeyStore } from './api-key-store.js'
import { type Actor, LOCAL_ACTOR } from './audit-trail.js'
import { keylessDenial } from './loopback.js'
import { allows, type RouteAccess } from './roles.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Who made the request, set by the auth hook (a key, or `local` in keyless loopback mode). */
    principal?: Actor
  }
}

export interface AuthHookOptions {
  keys: ApiKeyStore
  /** The access the matched route declares; undefined means the route made no decision and is refused. */
  accessOf: (request: FastifyRequest) => RouteAccess | undefined
  /**
   * Never serve without a key, even from loopback: set when the server listens beyond loopback (it could start only
   * because keys existed; revoking the last one must lock it, not open it).
   */
  requireKeys?: boolean
}

/** The key a request presents: `x-promptledger-key` (so a proxied provider `Authorization` passes through), else Bearer. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-promptledger-key']
  if (typeof header === 'string' && header !== '') return header
  const auth = request.headers.authorization
  return bearer(auth)
}

/** The credentials of `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 9110 §11.1). */
export function bearer(auth: string | undefined): string | undefined {
  if (auth === undefined || auth.length < 8 || auth.slice(0, 7).toLowerCase() !== 'bearer ') return undefined
  return auth.slice(7).trim()
}

function deny(reply: FastifyReply, status: 401 | 403, message: string): FastifyReply {
  const code = status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN'
  return reply.code(status).header('cache-control', 'no-store').send({ error: { code, message } })
}

/**
 * An `onRequest` hook enforcing API keys and roles. Keys are checked against `auth.db` on every
 * request (one indexed lookup), so a key revoked from the CLI stops working at once.
 *
 * @example
 * app.addHook('onRequest', createAuthHook({ keys, accessOf: (req) => req.routeOptions.config.access }))
 */
export function createAuthHook(options: AuthHookOptions) {
  const { keys, accessOf, requireKeys = false } = options
  return async function authHook(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const access = accessOf(request)
    if (access === 'public') return
    if (access === undefined && !request.is404) {
      // Fail closed: a route that declares no access is a bug, never an open door.
      await deny(reply, 403, 'this route declares no access role')
      return
    }
    if (!keys.hasActiveKeys()) {
      const denial = keylessDenial(requireKeys, request.headers, request.socket.remoteAddress)
      if (denial === null) request.principal = LOCAL_ACTOR
      else await deny(reply, 401, denial)
      return
    }
    const presented = presentedKey(request)
    if (!presented) {
      await deny(reply, 401, 'missing API key: send Authorization: Bearer <key> or x-promptledger-key')
      return
    }
    const result = keys.check(presented)
    if (!result.ok) {
      await deny(reply, 401, result.reason === 'revoked' ? 'API key revoked' : 'invalid API key')
      return
    }
    const { id, name, role } = result.key
    // An unknown URL answers 404 only to a valid key, so probing reveals nothing without one.
    if (access !== undefined && !allows(role, access)) {
      await deny(reply, 403, `role ${role} may not use this route (requires ${access})`)
      return
    }
    request.principal = { id, name, role }
  }
}
