import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'

/**
 * Starts the worker module `name` (without extension) that sits next to the module at `here` (its
 * `import.meta.url`). From `dist/` that is a plain module; from TypeScript sources (tests, `--conditions=source`)
 * the worker needs the loader the parent runs under. `--cpu-prof` reaches the thread as it would with the default
 * `execArgv` (the benches profile the collector so).
 *
 * @example
 * const worker = spawnSibling(import.meta.url, 'record-worker', { prepare })
 */
export function spawnSibling(here: string, name: string, workerData: unknown): Worker {
  if (!here.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, here), { workerData })
  const require = createRequire(here)
  const tsx = pathToFileURL(require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href
  const entry = new URL(`./${name}.ts`, here).href
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}) })`
  const profile = process.execArgv.filter((a) => a.startsWith('--cpu-prof'))
  return new Worker(boot, { eval: true, workerData, execArgv: ['--conditions=source', ...profile] })
}
