import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
const N = 20000
const s = 'lorem ipsum dolor '.repeat(75)
const lines = Array.from({ length: N }, (_, i) => `{"i":${i},"x":"${s}"}`)
for (const where of [':memory:', 'file']) for (const mode of ['WAL', 'DELETE']) {
  const dir = mkdtempSync(join(tmpdir(), 'pl-b-'))
  const db = new Database(where === 'file' ? join(dir, 'x.db') : ':memory:')
  db.pragma(`journal_mode = ${mode}`); db.pragma('synchronous = NORMAL'); db.pragma('cache_size = -65536')
  db.exec('CREATE TABLE b (rowid INTEGER PRIMARY KEY, json TEXT NOT NULL)')
  const ins = db.prepare('INSERT INTO b (rowid, json) VALUES (?, ?)')
  const tx = db.transaction((a: number, b: number) => { for (let i = a; i < b; i++) ins.run(i + 1, lines[i]) })
  const t0 = performance.now()
  for (let i = 0; i < N; i += 1000) tx(i, i + 1000)
  const ms = performance.now() - t0
  console.log(where, mode, ((ms * 1000) / N).toFixed(1), 'µs/rec')
  db.close(); rmSync(dir, { recursive: true, force: true })
}
