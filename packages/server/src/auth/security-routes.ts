import { z } from 'zod'
import type { RouteDef } from '../api/route-table.js'
import { ServerError } from '../errors.js'
import { anchorsFileOf } from '../retention/retention-anchors.js'
import type { RetentionPolicy } from '../retention/retention-policy.js'
import { runRetention } from '../retention/run-retention.js'
import type { Storage } from '../storage/storage.js'
import { LOCAL_ACTOR } from './audit-trail.js'
import { eraseSubject } from './erasure.js'
import { ROLES } from './roles.js'
import type { SecurityContext } from './security-context.js'
import { exportSubject, storageRecordsOf } from './subject-export.js'

export interface SecurityRouteDeps {
  security: SecurityContext
  storage: Storage
  retention: RetentionPolicy
  archiveDir: string
}

const auditQuery = z.strictObject({
  after: z.coerce.number().int().min(-1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  action: z.string().max(100).optional(),
})
const erasureBody = z.strictObject({ user_id: z.string().min(1).max(1024) })
const keyBody = z.strictObject({ role: z.enum(ROLES), name: z.string().min(1).max(200) })
const retentionQuery = z.strictObject({ dry_run: z.enum(['true', 'false', '1', '0']).optional() })

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const name = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.map(String).join('.')
  throw new ServerError('BAD_REQUEST', `${where} ${name}: ${issue.message}`, { path: name })
}

/** The app reads bodies as raw bytes (see app.ts); these routes take small JSON objects. */
function jsonBody(body: unknown): unknown {
  if (!Buffer.isBuffer(body)) throw new ServerError('BAD_REQUEST', 'a JSON body is required')
  try {
    return JSON.parse(body.toString('utf8'))
  } catch (cause) {
    throw new ServerError('BAD_REQUEST', 'body is not valid JSON', { cause })
  }
}

/** Audit trail, erasure, access export, retention and key management routes. */
export function securityRoutes({ security, storage, retention, archiveDir }: SecurityRouteDeps): RouteDef[] {
  const { audit, keys } = security
  return [
    {
      method: 'GET',
      url: '/v1/audit',
      role: 'auditor',
      summary: 'The audit trail (who read or changed what), oldest first, paged with ?after=<seq>',
      async handler(request) {
        const q = parse(auditQuery, request.query, 'query')
        return {
          entries: audit.list({
            limit: q.limit,
            ...(q.after !== undefined ? { after: q.after } : {}),
            ...(q.action ? { action: q.action } : {}),
          }),
        }
      },
    },
    {
      method: 'GET',
      url: '/v1/audit/verify',
      role: 'auditor',
      summary: "Verifies the audit trail's hash chain",
      async handler() {
        return audit.verify()
      },
    },
    {
      method: 'POST',
      url: '/v1/erasure',
      role: 'admin',
      summary: 'Erases one user: destroys their data key and purges derived plaintext; metadata and chain stay',
      async handler(request) {
        const { user_id } = parse(erasureBody, jsonBody(request.body), 'body')
        const result = await eraseSubject({
          userId: user_id,
          keys: security.dataKeys,
          storage,
          audit,
          actor: request.principal ?? LOCAL_ACTOR,
          route: 'POST /v1/erasure',
        })
        return { user_id, key_ids: result.keyIds, records: result.records, erased_at: result.erasedAt }
      },
    },
    {
      method: 'GET',
      url: '/v1/subjects/:id/export',
      role: 'auditor',
      summary: 'Access export: everything stored about one user, decrypted, as JSON',
      async handler(request) {
        const { id } = request.params as { id: string }
        return exportSubject({
          userId: id,
          records: storageRecordsOf(storage, id),
          encryptor: security.encryptor,
          audit,
          actor: request.principal ?? LOCAL_ACTOR,
          route: 'GET /v1/subjects/:id/export',
        })
      },
    },
    {
      method: 'POST',
      url: '/v1/retention/run',
      role: 'admin',
      summary: 'Applies the retention policy now (?dry_run=true counts only)',
      async handler(request) {
        const q = parse(retentionQuery, request.query, 'query')
        const result = await runRetention({
          storage,
          policy: retention,
          archiveDir,
          anchorsFile: anchorsFileOf(security.dataDir),
          audit,
          actor: request.principal ?? LOCAL_ACTOR,
          route: 'POST /v1/retention/run',
          dryRun: q.dry_run === 'true' || q.dry_run === '1',
        })
        return { ...result, archive: result.archive?.manifest ?? null }
      },
    },
    {
      method: 'GET',
      url: '/v1/keys',
      role: 'admin',
      summary: 'API keys (never their secrets)',
      async handler() {
        return { keys: keys.list() }
      },
    },
    {
      method: 'POST',
      url: '/v1/keys',
      role: 'admin',
      summary: 'Creates an API key; the response is the only time the key is shown',
      async handler(request, reply) {
        const body = parse(keyBody, jsonBody(request.body), 'body')
        const { key, info } = keys.create(body)
        audit.append({
          actor: request.principal ?? LOCAL_ACTOR,
          action: 'key.create',
          route: 'POST /v1/keys',
          filter: { id: info.id, name: info.name, role: info.role },
        })
        return reply
          .header('cache-control', 'no-store')
          .status(201)
          .send({ key, ...info })
      },
    },
    {
      method: 'DELETE',
      url: '/v1/keys/:id',
      role: 'admin',
      summary: 'Revokes an API key by id',
      async handler(request) {
        const { id } = request.params as { id: string }
        const revoked = keys.revoke(id)
        if (!revoked) throw new ServerError('NOT_FOUND', 'no active key with this id', { path: 'id' })
        audit.append({
          actor: request.principal ?? LOCAL_ACTOR,
          action: 'key.revoke',
          route: 'DELETE /v1/keys/:id',
          filter: { id: revoked.id, name: revoked.name },
        })
        return revoked
      },
    },
  ]
}
