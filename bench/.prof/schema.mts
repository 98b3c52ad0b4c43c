import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Chain, genesis } from '../../packages/sdk/src/seal/chain.js'
import { recordColumns, searchText } from '../../packages/server/src/storage/sqlite/sqlite-row.js'
import { benchRecord, rng, vocabulary } from '../bench-records.js'
const N = 20000
const random = rng(42); const words = vocabulary(random)
const chain = new Chain(genesis('x'))
const recs = Array.from({ length: N }, (_, i) => chain.sealEncoded(benchRecord(random, words, Date.parse('2026-01-01') + i * 10)))
const cols = recs.map((r, i) => ({ rowid: i + 1, ...recordColumns(r.record) }))
const texts = recs.map((r) => searchText(r.record))
const variant = process.argv[2]!
const dir = mkdtempSync(join(tmpdir(), 'pl-v-'))
const db = new Database(join(dir, 'x.db'))
for (const p of [...(process.env.PRAGMAS ?? '').split(';').filter(Boolean), 'journal_mode = WAL', 'synchronous = NORMAL', 'temp_store = MEMORY', 'cache_size = -65536', 'mmap_size = 268435456']) db.pragma(p)
db.exec(`CREATE TABLE records (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, ts INTEGER NOT NULL, stream TEXT NOT NULL, seq INTEGER NOT NULL,
  model TEXT, provider TEXT, user_id TEXT, session_id TEXT, app TEXT, status TEXT NOT NULL, latency REAL, ttft REAL, input_tokens INTEGER,
  output_tokens INTEGER, cost REAL, response_chars INTEGER, uncertain INTEGER NOT NULL, pii_in_response INTEGER NOT NULL, injection_score REAL);
  CREATE TABLE record_body (rowid INTEGER PRIMARY KEY, json TEXT NOT NULL);`)
const idx: Record<string, string> = {
  id: 'CREATE UNIQUE INDEX records_id ON records(id)',
  ss: 'CREATE UNIQUE INDEX records_stream_seq ON records(stream, seq)',
  model: 'CREATE INDEX records_model ON records(model)',
  cover: 'CREATE INDEX records_model_stats ON records(model, status, latency, ttft, input_tokens, output_tokens, cost, response_chars, uncertain, pii_in_response, injection_score)',
  provider: 'CREATE INDEX records_provider ON records(provider)',
  user: 'CREATE INDEX records_user ON records(user_id)',
  session: 'CREATE INDEX records_session ON records(session_id)',
  app: 'CREATE INDEX records_app ON records(app)',
  status: 'CREATE INDEX records_status ON records(status)',
}
const use = variant.split(',')
for (const [k, sql] of Object.entries(idx)) if (use.includes('all') || use.includes(k)) db.exec(sql)
const fts = use.includes('fts') || use.includes('all')
if (fts) db.exec(`CREATE VIRTUAL TABLE records_fts USING fts5(text, content='', contentless_delete=${use.includes('nodel') ? 0 : 1}${use.includes('detail') ? ", detail=none" : ''})`)
const ins = db.prepare(`INSERT INTO records (rowid, id, ts, stream, seq, model, provider, user_id, session_id,
      app, status, latency, ttft, input_tokens, output_tokens, cost, response_chars, uncertain, pii_in_response,
      injection_score) VALUES (@rowid, @id, @ts, @stream, @seq, @model, @provider, @user_id, @session_id, @app,
      @status, @latency, @ttft, @input_tokens, @output_tokens, @cost, @response_chars, @uncertain,
      @pii_in_response, @injection_score)`)
const body = db.prepare('INSERT INTO record_body (rowid, json) VALUES (?, ?)')
const ftsIns = fts ? db.prepare('INSERT INTO records_fts (rowid, text) VALUES (?, ?)') : null
const noBody = use.includes('nobody')
const tx = db.transaction((a: number, b: number) => {
  for (let i = a; i < b; i++) { { const c = cols[i]!; ins.run(c) }; if (!noBody) body.run(i + 1, recs[i]!.line); ftsIns?.run(i + 1, texts[i]) }
})
const c0 = process.cpuUsage()
for (let i = 0; i < N; i += 1000) tx(i, i + 1000)
const cc = process.cpuUsage(c0); const ms = (cc.user + cc.system) / 1000
console.log(variant.padEnd(40), ((ms * 1000) / N).toFixed(1), "µs/rec cpu; user", (cc.user / N).toFixed(1), "sys", (cc.system / N).toFixed(1))
db.close(); rmSync(dir, { recursive: true, force: true })
