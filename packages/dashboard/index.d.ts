/**
 * Absolute path of the built dashboard (index.html, app.js, app.css), ending with a path separator.
 *
 * @example
 * import { dashboardDir } from '@promptledger/dashboard'
 * fastify.register(fastifyStatic, { root: dashboardDir })
 */
export declare const dashboardDir: string
/** The files a build writes into `dashboardDir`, with their content types. */
export declare const dashboardFiles: Readonly<Record<'index.html' | 'app.js' | 'app.css', string>>
/** The Content-Security-Policy the dashboard runs under; serve it on every dashboard response. */
export declare const dashboardContentSecurityPolicy: string
