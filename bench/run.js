// Runs every bench/*.bench.ts with tsx, one after another (they share the machine; parallel runs
// would measure each other). Exit status: the first failing bench's, after all have run.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const only = process.argv.slice(2)
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()
let status = 0
for (const bench of benches) {
  process.stdout.write(`\n# ${bench}\n`)
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, bench)], {
    stdio: 'inherit',
    cwd: path.dirname(here),
  })
  if (run.status !== 0 && status === 0) status = run.status ?? 1
}
process.exit(status)
