import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import type { PromptLedgerError } from './errors.js'
import { verifyLedger } from './exporters/file-ledger/verify-ledger.js'
import { MemoryExporter } from './exporters/memory-exporter.js'
import { createLedger, type Ledger } from './ledger.js'
import { type LedgerOptions, resolveLedgerOptions } from './ledger-options.js'
import type { LogInput } from './record/log-input.js'

const dirs: string[] = []
const ledgers: Ledger[] = []
/** Content stays in plaintext here so tests can read what redaction and wrap stored; encryption has its own test. */
function open(options: LedgerOptions = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-'))
  dirs.push(dir)
  const memory = new MemoryExporter()
  const ledger = createLedger({
    dir,
    stream: 'test',
    handleExit: false,
    encrypt: false,
    ...options,
    exporters: [memory],
  })
  ledgers.push(ledger)
  return { dir, ledger, memory }
}

afterEach(async () => {
  for (const l of ledgers.splice(0)) await l.close()
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

describe('createLedger', () => {
  it('encrypts by default, except when records go to a collector (it encrypts at ingest and must index them)', () => {
    expect(resolveLedgerOptions({}).encrypt).toBe(true)
    expect(resolveLedgerOptions({ endpoint: 'http://127.0.0.1:7420' }).encrypt).toBe(false)
    expect(resolveLedgerOptions({ endpoint: 'http://127.0.0.1:7420', encrypt: true }).encrypt).toBe(true)
  })

  it('encrypts content at rest by default, per user, and keeps metadata readable', async () => {
    const { ledger, memory } = open({ encrypt: undefined })
    ledger.log({ prompt: 'where is parcel 7781?', response: 'at the depot', model: 'gpt-4o', userId: 'u-9' })
    await ledger.flush()
    const [record] = memory.records
    expect(record?.enc?.alg).toBe('aes-256-ctr-hmac-sha256')
    expect(record?.enc?.subject).toBe('user:u-9')
    expect(JSON.stringify(record)).not.toContain('parcel 7781')
    expect(record?.request.model).toBe('gpt-4o')
  })
  it('log() returns the id synchronously and flush() writes it', async () => {
    const { ledger, memory, dir } = open()
    const id = ledger.log({ prompt: 'Hi', response: 'Hello!', model: 'gpt-4o', userId: 'user_123' })
    expect(typeof id).toBe('string')
    expect(memory.records).toHaveLength(0) // nothing happened on the caller's stack
    await ledger.flush()
    expect(memory.records.map((r) => r.id)).toEqual([id])
    expect(ledger.stats()).toMatchObject({ written: 1, queued: 0, invalid: 0 })
    expect((await verifyLedger(dir)).ok).toBe(true)
  })

  it('never throws on bad input: counts it and emits error', async () => {
    const { ledger, memory } = open()
    const errors: PromptLedgerError[] = []
    ledger.on('error', (e) => errors.push(e))
    expect(() => ledger.log(null as never)).not.toThrow()
    expect(() => ledger.log({ tags: 'x' as never })).not.toThrow()
    expect(() => ledger.log({ metadata: { n: 10n } })).not.toThrow()
    ledger.log({ prompt: 'fine' })
    await ledger.flush()
    expect(ledger.stats().invalid).toBe(3)
    expect(errors.map((e) => e.code)).toEqual(['INVALID_INPUT', 'INVALID_INPUT', 'INVALID_INPUT'])
    expect(errors[1]!.message).toContain('"tags"')
    expect(memory.records).toHaveLength(1)
  })

  it('does not throw without an error listener', async () => {
    const { ledger } = open()
    ledger.log(undefined as never)
    await ledger.flush()
    expect(ledger.stats().invalid).toBe(1)
  })

  it('redacts by default, keeps terms from options, and marks redact: false', async () => {
    const a = open({ redact: { terms: ['password'] } })
    a.ledger.log({ prompt: 'my password is hunter2, mail ana@example.com' })
    await a.ledger.flush()
    const text = JSON.stringify(a.memory.records[0]!.request)
    expect(text).not.toContain('ana@example.com')
    expect(text).not.toMatch(/password/i)
    expect(a.memory.records[0]!.redacted).toBe(true)
    const b = open({ redact: false })
    b.ledger.log({ prompt: 'mail ana@example.com' })
    await b.ledger.flush()
    expect(JSON.stringify(b.memory.records[0]!.request)).toContain('ana@example.com')
    expect(b.memory.records[0]!.redacted).toBe(false)
  })

  it('drop policy counts drops and warns once', async () => {
    const { ledger } = open({ queue: { maxRecords: 2, policy: 'drop' }, batch: { maxRecords: 100, maxDelayMs: 1000 } })
    const warnings: unknown[] = []
    const drops: unknown[] = []
    ledger.on('warning', (w) => warnings.push(w))
    ledger.on('drop', (d) => drops.push(d))
    for (let i = 0; i < 5; i++) ledger.log({ prompt: `p${i}` })
    expect(ledger.stats().dropped).toBe(3)
    expect(drops).toHaveLength(3)
    expect(warnings).toHaveLength(1)
    await ledger.flush()
    expect(ledger.stats().written).toBe(2)
  })

  it('block policy returns a promise for the id and loses nothing', async () => {
    const { ledger, memory } = open({
      queue: { maxRecords: 2, policy: 'block' },
      batch: { maxRecords: 100, maxDelayMs: 1000 },
    })
    const results = Array.from({ length: 6 }, (_, i) => ledger.log({ prompt: `p${i}` }))
    expect(typeof results[0]).toBe('string')
    expect(results[2]).toBeInstanceOf(Promise)
    const ids = await Promise.all(results)
    await ledger.flush()
    expect(memory.records.map((r) => r.id)).toEqual(ids)
    expect(ledger.stats().dropped).toBe(0)
  })

  it('rejects bad options naming the field', () => {
    expect(() => createLedger({ maxFileBytes: -1 })).toThrow(/maxFileBytes/)
    expect(() => createLedger({ stream: '../etc' })).toThrow(/stream/)
  })

  it('takes any input without throwing or stalling: each call is written or counted invalid, and the ledger verifies', async () => {
    const fields = ['prompt', 'response', 'messages', 'output', 'input', 'model', 'userId', 'usage', 'latencyMs']
    const more = ['metadata', 'tags', 'toolCalls', 'finishReasons', 'error', 'status', 'params', 'signals', 'startTime']
    const anything = fc.anything({ maxDepth: 3, withBigInt: true, withDate: true, withNullPrototype: true })
    const value = fc.oneof(
      anything,
      fc.string(),
      fc.array(fc.record({ role: fc.string(), content: anything })),
      fc.array(fc.record({ name: fc.string(), arguments: anything })),
    )
    const input = fc.dictionary(fc.constantFrom(...fields, ...more), value, { maxKeys: 6 })
    const seed = Date.now() % 1_000_000
    const inputs = fc.sample(input, { numRuns: 300, seed })
    for (const buildThread of [false, true]) {
      const { ledger, dir } = open({ buildThread })
      let reported = 0
      ledger.on('error', () => reported++)
      for (const call of inputs) expect(typeof ledger.log(call as LogInput)).toBe('string')
      await ledger.flush()
      const { written, invalid } = ledger.stats()
      expect(written + invalid, `seed ${seed}`).toBe(inputs.length)
      expect(reported, `seed ${seed}`).toBe(invalid)
      expect((await verifyLedger(dir)).ok, `seed ${seed}`).toBe(true)
    }
  })

  it('counts a call with parsed tool arguments as invalid and goes on with the next ones', async () => {
    const { ledger, memory } = open({ buildThread: false })
    const errors: Error[] = []
    ledger.on('error', (err) => errors.push(err))
    ledger.log({ response: 'ok', toolCalls: [{ name: 'f', arguments: { a: 1 } as unknown as string }] })
    ledger.log({ prompt: 'next', response: 'ok' })
    await ledger.flush()
    expect(memory.records.map((r) => r.request.messages?.[0]?.content)).toEqual(['next'])
    expect(ledger.stats().invalid).toBe(1)
    expect(errors.map((e) => e.message).join('\n')).toMatch(/toolCalls\[0\]\.arguments/)
  })

  it("redacts what it records, never the caller's own objects, when it builds on the caller's thread", async () => {
    const { ledger, memory } = open({ buildThread: false })
    // Keys already in canonical order: the record then holds these very objects, not sorted copies.
    const messages = [{ content: 'mail me at ana.lopez@example.com', role: 'user' as const }]
    const metadata = { note: 'call 415 555 0100', tier: 'gold' }
    const before = JSON.stringify({ messages, metadata })
    ledger.log({ messages, response: 'ok', metadata })
    await ledger.flush()
    expect(JSON.stringify({ messages, metadata })).toBe(before)
    const [record] = memory.records
    expect(record!.request.messages).toEqual([{ content: 'mail me at <EMAIL_ADDRESS>', role: 'user' }])
    expect(record!.metadata).toEqual({ note: 'call <PHONE_NUMBER>', tier: 'gold' })
  })

  it("seals canonical lines on the caller's thread when an inserted stage leaves keys out of order", async () => {
    const { dir, ledger } = open({ buildThread: false })
    // Records are sealed without the key-order walk only when every stage is known to keep their order: a
    // stage of the caller's that rebuilds each record with its keys reversed must be sorted out by the seal.
    ledger.insertStage({
      name: 'reverse',
      run: (record) => Object.fromEntries(Object.entries(record).reverse()) as typeof record,
    })
    for (let i = 0; i < 40; i++) ledger.log({ prompt: `p${i}`, response: 'r', metadata: { b: 1, a: 2 } })
    await ledger.close()
    const streamDir = path.join(dir, 'test')
    const lines = fs
      .readdirSync(streamDir)
      .filter((f) => f.endsWith('.ndjson') && f !== 'checkpoints.ndjson')
      .flatMap((f) => fs.readFileSync(path.join(streamDir, f), 'utf8').trim().split('\n'))
    expect(lines).toHaveLength(40)
    for (const line of lines) {
      const keys = Object.keys(JSON.parse(line) as object)
      expect(keys).toEqual([...keys].sort())
    }
    expect(await verifyLedger(dir)).toMatchObject({ ok: true, streams: [{ records: 40 }] })
  })

  it("gives the event loop back while it builds and seals a batch on the caller's thread", async () => {
    const { ledger, memory } = open({ buildThread: false })
    // A stage that makes each record cost about 20 µs, as building one with redaction on does: one batch of
    // 512 records is then about 10 ms of work, which must not hold the event loop in one stretch.
    let built = 0
    ledger.insertStage({
      name: 'work',
      run: (record) => {
        const until = performance.now() + 0.02
        while (performance.now() < until);
        built++
        return record
      },
    })
    const seenMidBatch: number[] = []
    let ticking = true
    const tick = () => {
      if (built > 0 && built < 512) seenMidBatch.push(built)
      if (ticking) setImmediate(tick)
    }
    setImmediate(tick)
    for (let i = 0; i < 512; i++) ledger.log({ prompt: `p${i}`, response: 'r' })
    await ledger.flush()
    ticking = false
    expect(memory.records).toHaveLength(512)
    expect(memory.records.map((r) => r.seq)).toEqual([...Array(512).keys()])
    expect(seenMidBatch.length).toBeGreaterThan(0)
  })

  it('drops calls after close()', async () => {
    const { ledger } = open()
    await ledger.close()
    ledger.log({ prompt: 'late' })
    expect(ledger.stats().dropped).toBe(1)
  })

  it('flush() during or after close() waits for the close, which wrote everything', async () => {
    const { ledger, dir } = open()
    ledger.log({ prompt: 'one' })
    const closing = ledger.close()
    await expect(ledger.flush()).resolves.toBeUndefined()
    await closing
    await expect(ledger.flush()).resolves.toBeUndefined()
    await expect(ledger.close()).resolves.toBeUndefined()
    expect(fs.readdirSync(dir).length).toBeGreaterThan(0)
  })

  it('flush() and close() write a call logged while a batch is still being written', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-'))
    dirs.push(dir)
    // An exporter that takes its time: the drain waits for it after its loop has found the queue empty.
    const slow = {
      export: () => new Promise<{ ok: true }>((resolve) => setTimeout(() => resolve({ ok: true }), 100)),
      flush: async () => {},
      shutdown: async () => {},
    }
    const ledger = createLedger({ dir, stream: 'test', handleExit: false, encrypt: false, exporters: [slow] })
    ledger.log({ prompt: 'one' })
    void ledger.flush()
    await new Promise((resolve) => setTimeout(resolve, 40))
    ledger.log({ prompt: 'two' })
    await ledger.flush()
    expect(ledger.stats()).toMatchObject({ written: 2, queued: 0 })
    ledger.log({ prompt: 'three' })
    void ledger.flush()
    await new Promise((resolve) => setTimeout(resolve, 40))
    ledger.log({ prompt: 'four' })
    await ledger.close()
    expect(ledger.stats()).toMatchObject({ written: 4, queued: 0, dropped: 0 })
  })

  it('creates the keyring and dirs private', async () => {
    const { dir, ledger } = open()
    ledger.log({ prompt: 'x' })
    await ledger.flush()
    expect(fs.statSync(path.join(dir, 'keyring.json')).mode & 0o777).toBe(0o600)
    expect(fs.statSync(path.join(dir, 'test')).mode & 0o777).toBe(0o700)
    for (const f of fs.readdirSync(path.join(dir, 'test'))) {
      expect(fs.statSync(path.join(dir, 'test', f)).mode & 0o777).toBe(0o600)
    }
  })
})

describe('wrap', () => {
  it('preserves this, arguments and return value, and logs latency and output', async () => {
    const { ledger, memory } = open()
    const obj = {
      factor: 3,
      async times(this: { factor: number }, prompt: string, n: number) {
        return `${prompt}:${n * this.factor}`
      },
    }
    const wrapped = ledger.wrap(obj.times, { model: 'm1' })
    const out = await wrapped.call(obj, 'q', 2)
    expect(out).toBe('q:6')
    await ledger.flush()
    const r = memory.records[0]!
    expect(r.request.messages).toEqual([{ role: 'user', content: 'q' }])
    expect(r.response?.output).toBe('q:6')
    expect(r.request.model).toBe('m1')
    expect(r.metadata.function).toBe('times')
    expect(r.latency_ms).toBeGreaterThanOrEqual(0)
    expect(r.status).toBe('ok')
  })

  it('rethrows the original error unchanged and logs status error', async () => {
    const { ledger, memory } = open()
    const boom = Object.assign(new RangeError('nope'), { status: 429 })
    const wrapped = ledger.wrap(async (_p: string) => {
      throw boom
    })
    await expect(wrapped('q')).rejects.toBe(boom)
    const sync = ledger.wrap((_p: string) => {
      throw boom
    })
    expect(() => sync('q')).toThrow(boom)
    await ledger.flush()
    expect(memory.records.map((r) => r.status)).toEqual(['error', 'error'])
    expect(memory.records[0]!.error).toEqual({ type: 'RangeError', message: 'nope', http_status: 429 })
  })

  it('keeps the message and status of a thrown plain object', async () => {
    const { ledger, memory } = open()
    const wrapped = ledger.wrap(async (_p: string) => {
      throw { message: 'rate limited', status: 429, name: 'HttpError' }
    })
    await expect(wrapped('q')).rejects.toMatchObject({ status: 429 })
    await ledger.flush()
    expect(memory.records[0]!.error).toEqual({ type: 'HttpError', message: 'rate limited', http_status: 429 })
  })

  it('uses extractors', async () => {
    const { ledger, memory } = open()
    const wrapped = ledger.wrap(async (_req: { q: string }) => ({ text: 'a', tokens: 5 }), {
      prompt: ([req]) => req.q,
      response: (res) => res.text,
      extract: (_args, res) => ({ usage: { outputTokens: res?.tokens ?? null } }),
    })
    expect(await wrapped({ q: 'question' })).toEqual({ text: 'a', tokens: 5 })
    await ledger.flush()
    expect(memory.records[0]!.response?.output).toBe('a')
    expect(memory.records[0]!.usage?.output_tokens).toBe(5)
  })
})
