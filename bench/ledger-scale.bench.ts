/**
 * The file ledger in a stream that has been written for a long time: a folder already holding many sealed
 * segments (a month of 1 MiB segments at a few records a second is about 10,000), then 200 calls logged in 20
 * flushes with 4 KiB segments, so that every flush seals and runs retention. Prints the time from opening to
 * `close()` and the event loop's delay meanwhile; the baseline is the same run in an empty folder. The work per
 * seal must not grow with the segments already there. Then the checkpoint log of such a stream compacted after
 * retention (`compactCheckpointLog`, a tenth of the checkpoints below the anchor): the longest stretch the event
 * loop is held, eight runs.
 *
 *   npx tsx bench/ledger-scale.bench.ts [--segments=10000] [--checkpoints=40000]
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { compactCheckpointLog } from '../packages/sdk/src/exporters/file-ledger/retention.js'
import { ANCHOR_FILE, CHECKPOINTS_FILE, segmentBase } from '../packages/sdk/src/exporters/file-ledger/segment-files.js'
import { createLedger } from '../packages/sdk/src/index.js'
import { arg, table } from './ledger-bench-input.js'

const SEGMENTS = arg('segments', 10_000)
const CHECKPOINTS = arg('checkpoints', 40_000)
const RECORDS_PER_SEGMENT = 10

/** A stream folder with `n` sealed segments (archive and manifest each, chained), the newest a minute ago. */
function folderWith(n: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-scale-'))
  const streamDir = path.join(dir, 's')
  fs.mkdirSync(streamDir, { recursive: true })
  const now = Date.now()
  let prev = '0'.repeat(64)
  for (let i = 0; i < n; i++) {
    const created = now - (n - i) * 60_000
    const ts = new Date(created).toISOString()
    const seq = i * RECORDS_PER_SEGMENT
    const base = segmentBase(seq, created)
    const head = (i + 1).toString(16).padStart(64, '0')
    fs.writeFileSync(path.join(streamDir, `${base}.ndjson.gz`), '')
    const checkpoint = { stream: 's', seq: seq + RECORDS_PER_SEGMENT - 1, hash: head, ts, sig: '' }
    const manifest = {
      stream: 's',
      file: `${base}.ndjson.gz`,
      first_seq: seq,
      last_seq: seq + RECORDS_PER_SEGMENT - 1,
      first_ts: ts,
      last_ts: ts,
      prev_hash: prev,
      head_hash: head,
      records: RECORDS_PER_SEGMENT,
      bytes: 0,
      sha256: '',
      checkpoint,
    }
    fs.writeFileSync(path.join(streamDir, `${base}.manifest.json`), JSON.stringify(manifest, null, 2))
    prev = head
  }
  return dir
}

async function run(n: number): Promise<Record<string, string>> {
  const dir = folderWith(n)
  try {
    const delay = monitorEventLoopDelay({ resolution: 1 })
    delay.enable()
    const start = performance.now()
    const ledger = createLedger({
      dir,
      stream: 's',
      handleExit: false,
      redact: false,
      encrypt: false,
      maxFileBytes: 4096,
    })
    for (let flush = 0; flush < 20; flush++) {
      for (let i = 0; i < 10; i++) ledger.log({ prompt: `call ${flush}-${i} ${'x'.repeat(400)}`, response: 'r' })
      await ledger.flush()
    }
    await ledger.close()
    const ms = performance.now() - start
    delay.disable()
    return {
      'sealed segments before': n.toLocaleString('en'),
      'open → close, ms': ms.toFixed(0),
      'event-loop delay p99, ms': (delay.percentile(99) / 1e6).toFixed(1),
      'event-loop delay max, ms': (delay.max / 1e6).toFixed(1),
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const rows = [await run(0), await run(SEGMENTS)]
console.log(`\n## A long-lived stream: 200 calls, 20 flushes, a seal and a retention pass per flush\n`)
console.log(table(rows))

/** Longest event-loop hold (ms) while `compactCheckpointLog` runs on a log of CHECKPOINTS lines, a tenth below the anchor. */
async function compaction(): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-compact-'))
  try {
    const line = (seq: number) =>
      `${JSON.stringify({ stream: 's', seq, hash: 'a'.repeat(64), ts: new Date().toISOString(), sig: 'b'.repeat(88) })}\n`
    let text = ''
    for (let i = 0; i < CHECKPOINTS; i++) text += line(i * 10)
    fs.writeFileSync(path.join(dir, CHECKPOINTS_FILE), text)
    fs.writeFileSync(path.join(dir, ANCHOR_FILE), JSON.stringify({ seq: CHECKPOINTS }))
    let longest = 0
    let last = performance.now()
    let done = false
    const tick = () => {
      const now = performance.now()
      longest = Math.max(longest, now - last)
      last = now
      if (!done) setImmediate(tick)
    }
    setImmediate(tick)
    last = performance.now()
    const call = performance.now()
    const compacted = compactCheckpointLog(dir, (fd) => fs.closeSync(fd))
    // The call's own synchronous part, before it first yields.
    longest = Math.max(longest, performance.now() - call)
    if (!(await compacted)) throw new Error('nothing was compacted')
    done = true
    return longest
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const holds: number[] = []
for (let r = 0; r < 8; r++) holds.push(await compaction())
holds.sort((a, b) => a - b)
const logMb = ((CHECKPOINTS * 230) / 1e6).toFixed(1)
console.log(`\n## Compacting a checkpoint log of ${CHECKPOINTS.toLocaleString('en')} checkpoints (about ${logMb} MB)\n`)
console.log(
  table([
    {
      'event-loop hold, median ms': holds[4]!.toFixed(1),
      'event-loop hold, max ms': holds.at(-1)!.toFixed(1),
    },
  ]),
)
