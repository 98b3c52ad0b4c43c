/**
 * What a batch that brings a new user costs the thread that commits its data key, as the number of keys in the
 * data dir grows: the synchronous part of `DataKeyStore.commitAsync()` (the event loop's hold: lock, write,
 * unlock of what was read) and the whole commit until durable, for one new key among N. The ledger and the
 * collector commit this way once per batch with new users.
 *
 *   npx tsx bench/key-store.bench.ts [--keys=1000,10000,50000] [--commits=30]
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { DataKeyStore } from '../packages/sdk/src/crypto/data-key-store.js'
import { EnvKeyProvider } from '../packages/sdk/src/crypto/env-key-provider.js'

const flag = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
const SIZES = (flag('keys') ?? '1000,10000,50000').split(',').map(Number)
const COMMITS = Number(flag('commits') ?? 30)

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
const ms = (n: number): string => n.toFixed(2)

console.log(
  `\n## One new key committed among N (median / p90 / max of ${COMMITS} commits, ms), node ${process.version}\n`,
)
console.log('| keys in the data dir | key files on disk | event-loop hold (sync part) | until durable |')
console.log('| ---: | ---: | ---: | ---: |')
for (const size of SIZES) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-keys-'))
  try {
    const provider = new EnvKeyProvider({ masterKeyBase64: randomBytes(32).toString('base64') })
    const keys = DataKeyStore.open({ dir, provider, persist: 'batch' })
    for (let i = 0; i < size; i++) keys.getOrCreate(`user:${i}`)
    keys.commit()
    const hold: number[] = []
    const total: number[] = []
    for (let c = 0; c < COMMITS; c++) {
      keys.getOrCreate(`user:new-${c}`)
      const t = performance.now()
      const done = keys.commitAsync()
      hold.push(performance.now() - t)
      await done
      total.push(performance.now() - t)
    }
    hold.sort((a, b) => a - b)
    total.sort((a, b) => a - b)
    const bytes = fs.readdirSync(dir).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0)
    console.log(
      `| ${size.toLocaleString('en')} | ${(bytes / 1024 / 1024).toFixed(1)} MB | ${ms(quantile(hold, 0.5))} / ${ms(quantile(hold, 0.9))} / ${ms(hold.at(-1)!)} | ${ms(quantile(total, 0.5))} / ${ms(quantile(total, 0.9))} / ${ms(total.at(-1)!)} |`,
    )
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
