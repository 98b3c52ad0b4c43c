/** Roles, weakest first: each role may do everything the roles before it may. */
export const ROLES = ['ingest', 'viewer', 'auditor', 'admin'] as const
export type Role = (typeof ROLES)[number]

/** What a route requires: a role, or `public` (only `/healthz`). Every route must declare one. */
export type RouteAccess = Role | 'public'

/** The short tag a key carries (`pl_<tag>_…`), so a leaked key's power is visible at a glance. */
export const ROLE_TAG: Record<Role, string> = { ingest: 'ing', viewer: 'view', auditor: 'aud', admin: 'adm' }

const RANK: Record<Role, number> = { ingest: 0, viewer: 1, auditor: 2, admin: 3 }

/**
 * Whether a caller holding `have` may use a route that requires `need`.
 *
 * @example
 * allows('auditor', 'viewer') // true
 * allows('viewer', 'admin')   // false
 */
export function allows(have: Role, need: RouteAccess): boolean {
  return need === 'public' || RANK[have] >= RANK[need]
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value)
}
