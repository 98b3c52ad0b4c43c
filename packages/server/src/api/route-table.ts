import type { FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify'

/** Who may call a route; the auth layer maps API-key roles onto these (see docs/architecture.md). */
export type RouteRole = 'public' | 'ingest' | 'viewer' | 'auditor' | 'admin'

/**
 * One row of the route table. Every route of the API is declared as one of these so access rules and the
 * auth test matrix can be generated from a single list. `role` is readable in hooks as
 * `request.routeOptions.config.role`.
 */
export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  url: string
  role: RouteRole
  /** What the route does, for docs and error messages. */
  summary: string
  /** Whether the route returns record content (the audit trail logs such reads). */
  readsContent?: boolean
  options?: RouteShorthandOptions
  handler(request: FastifyRequest, reply: FastifyReply): Promise<unknown>
}

declare module 'fastify' {
  interface FastifyContextConfig {
    role?: RouteRole
    readsContent?: boolean
  }
}
