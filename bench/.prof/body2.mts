import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
const N = 30000
const s = 'lorem ipsum dolor '.repeat(75)
const lines = Array.from({ length: N }, (_, i) => `{"i":${i},"x":"${s}"}`)
const [where, ...pr] = process.argv.slice(2)
const dir = mkdtempSync(join(tmpdir(), 'pl-b-'))
const db = new Database(where === 'file' ? join(dir, 'x.db') : where === 'shm' ? '/dev/shm/plb.db' : ':memory:')
for (const p of pr) db.pragma(p)
db.exec('CREATE TABLE b (rowid INTEGER PRIMARY KEY, json TEXT NOT NULL)')
const ins = db.prepare('INSERT INTO b (rowid, json) VALUES (?, ?)')
const tx = db.transaction((a: number, b: number) => { for (let i = a; i < b; i++) ins.run(i + 1, lines[i]) })
tx(0, 1000)
const t0 = performance.now()
for (let i = 1000; i < N; i += 1000) tx(i, i + 1000)
const ms = performance.now() - t0
console.log(where, pr.join(' '), ((ms * 1000) / (N - 1000)).toFixed(1), 'µs/rec')
db.close(); rmSync(dir, { recursive: true, force: true }); rmSync('/dev/shm/plb.db', { force: true }); rmSync('/dev/shm/plb.db-wal', { force: true }); rmSync('/dev/shm/plb.db-shm', { force: true })
