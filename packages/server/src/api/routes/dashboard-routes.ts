import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { dashboardContentSecurityPolicy, dashboardDir, dashboardFiles } from '@promptledger/dashboard'
import { ServerError } from '../../errors.js'
import type { RouteDef } from '../route-table.js'

export interface DashboardRouteOptions {
  /** Folder holding the built dashboard; defaults to the @promptledger/dashboard package's dist. */
  dir?: string
}

type DashboardFile = keyof typeof dashboardFiles

/**
 * The dashboard's three static files at `/`, `/app.js` and `/app.css`. They are public (they hold no data: every
 * API call the page makes carries the viewer's key) and served with a strict CSP, since the page shows untrusted
 * prompt text. Files are read per request: three small files, and a rebuilt dashboard shows without a restart.
 *
 * @example
 * const app = await createApp({ storage, stream, routes: dashboardRoutes() })
 */
export function dashboardRoutes(options: DashboardRouteOptions = {}): RouteDef[] {
  const dir = options.dir ?? dashboardDir
  const serve = (url: string, file: DashboardFile): RouteDef => ({
    method: 'GET',
    url,
    role: 'public',
    summary: `Dashboard ${file}`,
    async handler(_request, reply) {
      let body: Buffer
      try {
        body = await readFile(join(dir, file))
      } catch (cause) {
        throw new ServerError('NOT_FOUND', `the dashboard is not built (${file} missing): run npm run build`, { cause })
      }
      return reply
        .type(dashboardFiles[file])
        .header('content-security-policy', dashboardContentSecurityPolicy)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('x-frame-options', 'DENY')
        .header('cache-control', 'no-cache')
        .send(body)
    },
  })
  return [
    serve('/', 'index.html'),
    serve('/index.html', 'index.html'),
    serve('/app.js', 'app.js'),
    serve('/app.css', 'app.css'),
  ]
}
