import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Receiver } from '../../../../test-support/fake-upstreams/fake-otlp.js'
import { loadConfig } from '../config.js'
import { startServer } from '../start-server.js'
import { sealAll, unsealed } from '../test-support/records.js'
import { startOtlpForwarder } from './otlp-forwarder.js'

let receiver: Receiver
beforeEach(async () => {
  receiver = new Receiver()
  await receiver.listen()
})
afterEach(() => receiver.close())

const recordIds = () =>
  receiver.spans().map((s) => s.attributes.find((a) => a.key === 'promptledger.record.id')?.value.stringValue)

describe('OTLP forwarder', () => {
  it('sends what it is handed in batches, and what is left on close', async () => {
    const errors: Error[] = []
    const otlp = startOtlpForwarder({ endpoint: receiver.url }, (err) => errors.push(err))
    const records = sealAll(Array.from({ length: 700 }, () => unsealed()))
    otlp.push(records.slice(0, 600))
    otlp.push(records.slice(600))
    await otlp.close()
    expect(recordIds().sort()).toEqual(records.map((r) => r.id).sort())
    expect(receiver.received.length).toBeGreaterThanOrEqual(2) // 512 a request at most
    expect(otlp.stats).toEqual({ sent: 700, dropped: 0 })
    expect(errors).toEqual([])
  })

  it('counts what an endpoint that is down never took, says so, and still closes in bounded time', async () => {
    const errors: Error[] = []
    await receiver.close()
    const otlp = startOtlpForwarder({ endpoint: receiver.url }, (err) => errors.push(err))
    otlp.push(sealAll([unsealed(), unsealed()]))
    await otlp.close()
    expect(otlp.stats).toEqual({ sent: 0, dropped: 2 })
    expect(errors[0]?.message).toMatch(/^otlp: 2 records not exported/)
    receiver = new Receiver()
    await receiver.listen()
  })

  it('keeps at most maxQueued records while the endpoint is slow, dropping the oldest', async () => {
    receiver.answers.push('hang')
    const otlp = startOtlpForwarder({ endpoint: receiver.url, maxQueued: 600 }, () => undefined)
    const records = sealAll(Array.from({ length: 1400 }, () => unsealed()))
    otlp.push(records.slice(0, 512)) // sent at once, and held by the hanging endpoint
    otlp.push(records.slice(512))
    expect(otlp.stats.dropped).toBe(1400 - 512 - 600)
    // The hung request fails once it has arrived; the retry delivers that batch, then the queue goes.
    while (receiver.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
    receiver.server.closeAllConnections()
    await otlp.close()
    expect(otlp.stats).toEqual({ sent: 512 + 600, dropped: 1400 - 512 - 600 })
    const kept = [...records.slice(0, 512), ...records.slice(-600)].map((r) => r.id)
    expect(new Set(recordIds())).toEqual(new Set(kept))
  })
})

describe('a collector with an otlp section', () => {
  it('forwards every stored record as a span, without content unless asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-otlp-'))
    try {
      const config = loadConfig({ flags: { port: 0, data: dir }, env: { PROMPTLEDGER_OTLP_ENDPOINT: receiver.url } })
      const server = await startServer(config)
      expect(server.otlpEndpoint).toBe(`${receiver.url}/`)
      const records = Array.from({ length: 3 }, () =>
        unsealed({ request: { model: 'm', messages: [{ role: 'user', content: 'osprey' }] } }),
      )
      const posted = await fetch(`${server.url}/v1/records`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(records),
      })
      expect(posted.status).toBe(200)
      await server.close() // forwards what is queued before it stops
      expect(recordIds().sort()).toEqual(records.map((r) => r.id).sort())
      expect(JSON.stringify(receiver.received)).not.toContain('osprey')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses an endpoint that is not a URL, naming the key', () => {
    expect(() => loadConfig({ env: { PROMPTLEDGER_OTLP_ENDPOINT: 'otel-collector' } })).toThrow(
      /invalid config at otlp\.endpoint/,
    )
  })
})
