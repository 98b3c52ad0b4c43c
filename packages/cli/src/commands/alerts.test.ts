import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig, type RunningServer, startServer } from '@promptledger/server'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { listAlerts, sendTestNotification } from './alerts.js'

let dir: string
const closers: Array<() => Promise<unknown>> = []

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pl-'))
})
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
  rmSync(dir, { recursive: true, force: true })
})

function sink() {
  const lines: string[] = []
  return { lines, write: (t: string) => lines.push(t), text: () => lines.join('') }
}

/** A loopback webhook receiver answering `status`. */
async function receiver(status: number) {
  const bodies: unknown[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      res.writeHead(status).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(() => new Promise((resolve) => server.close(resolve)))
  return { bodies, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` }
}

describe('promptledger alerts test', () => {
  it("sends a test notification to the config's notifiers", async () => {
    const ok = await receiver(200)
    const file = join(dir, 'pl.json')
    writeFileSync(file, JSON.stringify({ alerts: { notifiers: [{ type: 'webhook', url: ok.url }] } }))
    const out = sink()
    await sendTestNotification(file, {}, out)
    expect(out.text()).toMatch(/^sent {6}webhook:127\.0\.0\.1:\d+\n$/)
    expect(ok.bodies).toMatchObject([{ kind: 'test', rule: 'test', source: 'promptledger' }])
  })

  it('fails naming the notifier that failed, and when none is configured', async () => {
    const bad = await receiver(500)
    const out = sink()
    const env = { PROMPTLEDGER_ALERT_WEBHOOK: bad.url }
    const file = join(dir, 'pl.json')
    writeFileSync(file, JSON.stringify({ alerts: { notifiers: [{ type: 'slack', url: bad.url, retries: 0 }] } }))
    await expect(sendTestNotification(file, env, out)).rejects.toThrow('2 of 2 notifiers failed')
    expect(out.text()).toContain('FAILED    slack:127.0.0.1')
    await expect(sendTestNotification(undefined, {}, sink())).rejects.toThrow('no notifiers configured')
  })
})

describe('promptledger alerts', () => {
  it('lists open alerts, history and rules from a running collector', async () => {
    const server: RunningServer = await startServer(loadConfig({ flags: { port: 0, data: dir }, env: {} }))
    closers.push(() => server.close())
    const remote = { server: server.url }
    const out = sink()
    await listAlerts(remote, {}, out)
    expect(out.text()).toBe('0 open alerts\n')
    const rules = sink()
    await listAlerts(remote, { rules: true }, rules)
    expect(rules.text()).toMatch(/latency_p95 +yes +5000 ms +300s +global/)
    expect(rules.text()).toMatch(/cost_daily +no +- +86400s +app/)
    expect(rules.text()).toContain('evaluated every 60s; notifiers: none')
    const json = sink()
    await listAlerts(remote, { json: true }, json)
    expect(JSON.parse(json.text())).toEqual({ open: [], history: [] })
  })

  it('says which collector it cannot reach', async () => {
    await expect(listAlerts({ server: 'http://127.0.0.1:1' }, {}, sink())).rejects.toThrow(
      'cannot reach the collector at http://127.0.0.1:1',
    )
  })
})
