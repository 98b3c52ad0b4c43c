import { fileURLToPath } from 'node:url'

/**
 * Absolute path of the built dashboard (index.html, app.js, app.css), for the collector to serve at `/`.
 *
 * @example
 * import { dashboardDir } from '@promptledger/dashboard'
 * fastify.register(fastifyStatic, { root: dashboardDir })
 */
export const dashboardDir = fileURLToPath(new URL('./dist/', import.meta.url))

/** The files a build writes into `dashboardDir`, with their content types. */
export const dashboardFiles = Object.freeze({
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
})

/**
 * The Content-Security-Policy the dashboard runs under: no inline script or style, same-origin API only.
 * Serve it on every dashboard response.
 */
export const dashboardContentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
