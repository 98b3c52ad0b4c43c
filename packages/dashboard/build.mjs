// Bundles the dashboard into dist/: one script, one stylesheet, one page. No inline code, so a strict CSP holds.
// Files are written beside their final name and renamed into place, so a server reading dist/ never sees half a file.
// Usage: node build.mjs [outdir]   (default: ./dist)
import { copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))
const outdir = resolve(process.argv[2] ?? here('./dist'))

function place(name, write) {
  const tmp = join(outdir, `.${name}.${process.pid}.tmp`)
  write(tmp)
  renameSync(tmp, join(outdir, name))
}

mkdirSync(outdir, { recursive: true })
const result = await build({
  entryPoints: [here('./src/main.ts')],
  bundle: true,
  write: false,
  outfile: join(outdir, 'app.js'),
  format: 'iife',
  platform: 'browser',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
})
const [bundle] = result.outputFiles
place('app.js', (tmp) => writeFileSync(tmp, bundle.contents))
place('app.css', (tmp) => copyFileSync(here('./static/app.css'), tmp))
place('index.html', (tmp) => copyFileSync(here('./static/index.html'), tmp))
