import type { LedgerRecord } from '@promptledger/sdk'
import type { FastifyInstance } from 'fastify'
import type { RouteRole } from '../api/route-table.js'
import { anchorsFileOf, readAnchors } from '../retention/retention-anchors.js'
import { createAuthHook } from './auth-hook.js'
import { installReadAudit } from './read-audit.js'
import type { SecurityContext } from './security-context.js'

/** A route as Fastify registered it, with the access it declared (undefined: no decision). */
export interface RegisteredRoute {
  method: string
  url: string
  role: RouteRole | undefined
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered after the security plugin, proxy included: the auth matrix's source. */
    registeredRoutes: RegisteredRoute[]
    /** The record as an authorised reader sees it (decrypted, or marked erased). */
    recordView?: (record: LedgerRecord) => unknown
    /** Where a stream's chain resumes after retention removed its oldest records (verify starts there). */
    chainAnchor?: (stream: string) => { seq: number; hash: string } | undefined
  }
}

/**
 * Auth (API keys and roles on every route), the audit of content reads, and decryption for readers.
 * Pass it in `createApp({ plugins: [securityPlugin(security)] })`.
 *
 * @example
 * const app = await createApp({ storage, stream, plugins: [securityPlugin(security)], routes: securityRoutes(deps) })
 */
export function securityPlugin(security: SecurityContext, requireKeys = false) {
  return (app: FastifyInstance): void => {
    const registered: RegisteredRoute[] = []
    app.decorate('registeredRoutes', registered)
    app.decorate('chainAnchor', (stream: string) => readAnchors(anchorsFileOf(security.dataDir))[stream])
    app.decorate('recordView', (record: LedgerRecord) => (record.enc ? security.encryptor.readRecord(record) : record))
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method]
      const role = (route.config as { role?: RouteRole } | undefined)?.role
      for (const method of methods) registered.push({ method, url: route.url, role })
    })
    app.addHook(
      'onRequest',
      createAuthHook({ keys: security.keys, accessOf: (req) => req.routeOptions.config.role, requireKeys }),
    )
    installReadAudit(app, security)
  }
}
