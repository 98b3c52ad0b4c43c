// End to end in Debian Chromium against the real collector (`startServer`: SQLite store, API keys, alerts, and the
// dashboard route) on loopback. Skips loudly without /usr/bin/chromium; under CI=true a missing browser is a failure.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { LedgerRecord, UnsealedRecord } from '@promptledger/sdk'
import { ApiKeyStore, loadConfig, type RunningServer, startServer } from '@promptledger/server'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { unsealed } from '../../server/src/test-support/records.js'

const CHROMIUM = '/usr/bin/chromium'
const haveChromium = existsSync(CHROMIUM)
const inCi = process.env.CI === 'true'
const HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'

if (!haveChromium && !inCi) {
  console.warn(
    `\n!!! dashboard end-to-end test SKIPPED: ${CHROMIUM} is missing. Install it with \`apt-get install -y chromium\`. !!!\n`,
  )
}

describe.runIf(!haveChromium && inCi)('dashboard e2e prerequisites', () => {
  it('has Chromium under CI', () => {
    throw new Error(`${CHROMIUM} is missing under CI=true: the dashboard end-to-end test cannot run`)
  })
})

function seed(): UnsealedRecord[] {
  const base = Date.now() - 90 * 60_000
  const at = (i: number) => new Date(base + i * 60_000).toISOString()
  const records: UnsealedRecord[] = []
  for (let i = 0; i < 55; i++) {
    records.push(unsealed({ ts: at(i), end_ts: at(i), user_id: `u${i % 3}`, latency_ms: 100 + i * 10, tags: ['bulk'] }))
  }
  for (let i = 0; i < 3; i++) {
    records.push(
      unsealed({
        ts: at(60 + i),
        end_ts: at(60 + i),
        provider: 'anthropic',
        app: 'support',
        request: { model: 'claude-sonnet-4', messages: [{ role: 'user', content: `refund question ${i}` }] },
        response: { model: 'claude-sonnet-4', output: 'a refund answer', finish_reasons: ['end_turn'] },
        status: i === 0 ? 'error' : 'ok',
        error: i === 0 ? { type: 'rate_limit', message: 'slow down', http_status: 429 } : null,
        cost_usd: null,
      }),
    )
  }
  records.push(
    unsealed({
      ts: at(70),
      end_ts: at(70),
      user_id: 'mallory',
      request: { model: 'gpt-4o', messages: [{ role: 'user', content: HOSTILE }], params: { temperature: 0 } },
      response: {
        model: 'gpt-4o',
        output: '<b>not bold</b> zanzibar',
        finish_reasons: ['tool_calls'],
        tool_calls: [{ id: 'call_1', type: 'function', name: 'lookup', arguments: '{"q":"<script>x</script>"}' }],
      },
      redactions: { EMAIL_ADDRESS: 2, CREDIT_CARD: 1 },
      signals: { injection_score: 0.9, injection_rules: ['override'] },
      metadata: { note: '<iframe src="javascript:alert(1)">' },
    }),
  )
  return records
}

describe.runIf(haveChromium)('dashboard in Chromium', () => {
  let dir: string
  let server: RunningServer
  let viewerKey: string
  let ingestKey: string
  let adminKey: string
  let browser: Browser
  let page: Page
  const problems: string[] = []

  const ingest = async (records: UnsealedRecord[]): Promise<void> => {
    const res = await fetch(`${server.url}/v1/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestKey}` },
      body: JSON.stringify(records),
    })
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`)
  }
  const stored = async (id: string): Promise<LedgerRecord> => {
    const res = await fetch(`${server.url}/v1/records/${id}`, { headers: { authorization: `Bearer ${viewerKey}` } })
    return (await res.json()) as LedgerRecord
  }

  beforeAll(async () => {
    // Always test the current sources: build the bundle the collector serves (esbuild, well under a second).
    execFileSync(process.execPath, [fileURLToPath(new URL('../build.mjs', import.meta.url))], { stdio: 'inherit' })
    dir = mkdtempSync(join(tmpdir(), 'pl-'))
    const keys = ApiKeyStore.open({ dir })
    viewerKey = keys.create({ role: 'viewer', name: 'dashboard-e2e' }).key
    ingestKey = keys.create({ role: 'ingest', name: 'dashboard-e2e-seed' }).key
    adminKey = keys.create({ role: 'admin', name: 'dashboard-e2e-admin' }).key
    keys.close()
    const configPath = join(dir, 'promptledger.config.json')
    writeFileSync(configPath, JSON.stringify({ alerts: { intervalSeconds: 1 } }))
    server = await startServer(loadConfig({ flags: { port: 0, host: '127.0.0.1', data: dir, config: configPath } }))
    await ingest(seed())
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    page = await browser.newPage()
    page.setDefaultTimeout(15_000)
    // Any script error or CSP violation fails the run at the end. Chromium also logs each 401/403/404 answer as a
    // failed resource; those are the cases under test, so they are let through.
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/status of 40[134]/.test(msg.text())) problems.push(`console: ${msg.text()}`)
    })
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('asks for an API key on 401, refuses a key without the role, keeps it for the tab', async () => {
    await page.goto(`${server.url}/`)
    await page.getByRole('heading', { name: 'API key required' }).waitFor()
    // An ingest key may write but not read: the view says so, and the key can be dropped from the header.
    await page.getByLabel('API key', { exact: true }).fill(ingestKey)
    await page.getByRole('button', { name: 'Use this key' }).click()
    await page.getByText(/does not have a role that may read this view/).waitFor()
    await page.getByRole('button', { name: 'Forget API key' }).click()
    await page.getByRole('heading', { name: 'API key required' }).waitFor()
    await page.getByLabel('API key', { exact: true }).fill(viewerKey)
    await page.getByRole('button', { name: 'Use this key' }).click()
    await page.getByRole('heading', { name: 'Records' }).waitFor()
    expect(await page.evaluate(() => sessionStorage.getItem('promptledger.apiKey'))).toBe(viewerKey)
    await expect.poll(() => page.locator('#health').textContent()).toContain('collector up')
  })

  it('lists records newest first and loads more with the cursor', async () => {
    const rows = page.locator('table.records tbody tr')
    await expect.poll(() => rows.count()).toBe(50)
    expect(await rows.first().locator('td').nth(3).textContent()).toBe('mallory')
    await page.getByRole('button', { name: 'Load more' }).click()
    await expect.poll(() => rows.count()).toBe(59)
    await expect.poll(() => page.getByRole('button', { name: 'Load more' }).isHidden()).toBe(true)
  })

  it('filters by model, status and full text, through the URL', async () => {
    await page.getByLabel('Model').fill('claude-sonnet-4')
    await page.getByRole('button', { name: 'Apply' }).click()
    const rows = page.locator('table.records tbody tr')
    await expect.poll(() => rows.count()).toBe(3)
    expect(page.url()).toContain('#/records?model=claude-sonnet-4')
    expect(await rows.locator('td:nth-child(2)').allTextContents()).toEqual(Array(3).fill('claude-sonnet-4'))

    await page.getByLabel('Status').selectOption('error')
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect.poll(() => rows.count()).toBe(1)
    expect(await rows.first().locator('.badge').textContent()).toBe('error')

    await page.getByRole('button', { name: 'Clear' }).click()
    await page.getByLabel('Search').fill('zanzibar')
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect.poll(() => page.url()).toContain('q=zanzibar')
    await expect.poll(() => rows.count()).toBe(1)
    expect(await rows.first().locator('td').nth(3).textContent()).toBe('mallory')
  })

  it('opens a record and renders hostile content as text', async () => {
    await page.locator('table.records tbody tr').first().getByRole('link').click()
    await page.getByRole('heading', { name: /^Record / }).waitFor()
    const id = decodeURIComponent(page.url().split('#/records/')[1]!)
    const record = await stored(id)
    const request = page.locator('section[aria-labelledby="sec-request"] pre').first()
    expect(await request.textContent()).toBe(HOSTILE)
    expect(await page.locator('main script, main img, main iframe, main b').count()).toBe(0)
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText, the text as rendered
    const text = await page.locator('main').innerText()
    expect(text).toContain('<b>not bold</b> zanzibar')
    expect(text).toContain('{"q":"<script>x</script>"}')
    for (const type of Object.keys(record.redactions)) expect(text).toContain(type)
    expect(text).toContain('Injection score')
    expect(text).toMatch(new RegExp(`Seq\\s+${record.seq}\\s`))
    expect(text).toMatch(new RegExp(`Hash\\s+${record.hash}`))
    expect(text).toMatch(new RegExp(`Previous hash\\s+${record.prev_hash}`))
  })

  it('shows new records in live mode', async () => {
    await page.goto(`${server.url}/#/records?app=live`)
    await page.getByText('No records match these filters.').waitFor()
    await page.getByLabel(/Live/).check()
    const fresh = unsealed({ app: 'live', user_id: 'late-arrival' })
    await ingest([fresh])
    const row = page.locator(`tr[data-id="${fresh.id}"]`)
    await row.waitFor({ timeout: 20_000 })
    expect(await row.locator('td').nth(3).textContent()).toBe('late-arrival')
  })

  it('returns from a record to the list as it was: the rows loaded and the scroll position', async () => {
    await page.goto(`${server.url}/#/records`)
    await page.locator('tbody tr').first().waitFor()
    await page.getByRole('button', { name: 'Load more' }).click()
    await expect.poll(() => page.locator('tbody tr').count()).toBeGreaterThan(50)
    const count = await page.locator('tbody tr').count()
    const target = page
      .locator('tbody tr')
      .nth(count - 1)
      .locator('a')
    await target.scrollIntoViewIfNeeded()
    const y = await page.evaluate(() => window.scrollY)
    expect(y).toBeGreaterThan(0)
    await target.click()
    await page.waitForURL(/#\/records\/[^?]+$/)
    await page.getByRole('heading', { level: 1 }).waitFor()
    await page.goBack()
    await expect.poll(() => page.locator('tbody tr').count()).toBe(count)
    expect(await page.evaluate(() => window.scrollY)).toBe(y)
  })

  it('shows stats grouped by model with a chart of calls over time', async () => {
    await page.goto(`${server.url}/#/stats?group_by=model&range=24h`)
    const table = page.locator('table.stats')
    await table.waitFor()
    const byModel = Object.fromEntries(
      await table
        .locator('tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [tr.children[0]!.textContent, tr.children[1]!.textContent])),
    )
    expect(byModel).toMatchObject({ 'gpt-4o': '57', 'claude-sonnet-4': '3' })
    expect(await page.locator('svg.chart rect.bar').count()).toBeGreaterThan(0)
    await page.getByLabel('Group by').selectOption('status')
    await expect.poll(() => page.url()).toContain('group_by=status')
    await expect.poll(() => table.locator('tbody th').allTextContents()).toEqual(['ok', 'error'])
  })

  it('lists open alerts from the collector', async () => {
    // One error in 60 calls breaks the default daily error-rate rule (> 1 %), evaluated every second here.
    await page.goto(`${server.url}/#/alerts`)
    const open = page.locator('table.alerts').first()
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click()
          return open.locator('tbody th').allTextContents()
        },
        { timeout: 20_000 },
      )
      .toContain('error_rate_daily')
  })

  it('says alerts are not available when the collector answers 404', async () => {
    // A collector without alerting answers 404 here; the route is swapped at the network layer for this one view.
    await page.route('**/v1/alerts', (route) =>
      route.fulfill({
        status: 404,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no such route' } }),
      }),
    )
    await page.reload()
    await page.getByText(/Alerts are not available on this collector/).waitFor()
    await page.unroute('**/v1/alerts')
  })

  it('ran without script errors or CSP violations', () => {
    expect(problems).toEqual([])
  })

  // Last: its records would count in the stats and alerts above.
  it('places a burst larger than a page, and a record stamped before the newest shown, in live mode', async () => {
    await page.goto(`${server.url}/#/records?app=burst`)
    await page.getByText('No records match these filters.').waitFor()
    await page.getByLabel(/Live/).check()
    const now = Date.now()
    const first = unsealed({ app: 'burst', user_id: 'first', ts: new Date(now).toISOString() })
    await ingest([first])
    await page.locator(`tr[data-id="${first.id}"]`).waitFor({ timeout: 20_000 })
    const burst = Array.from({ length: 60 }, (_, i) =>
      unsealed({ app: 'burst', user_id: `burst-${i}`, ts: new Date(now + 1000 + i).toISOString() }),
    )
    await ingest(burst)
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 20_000 }).toBe(61)
    // A batched export arriving late: stamped after the first record, before the burst.
    const late = unsealed({ app: 'burst', user_id: 'stamped-earlier', ts: new Date(now + 500).toISOString() })
    await ingest([late])
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 20_000 }).toBe(62)
    const ids = await page.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')))
    expect(ids.indexOf(late.id)).toBe(60)
    expect(ids.at(-1)).toBe(first.id)
  })

  it('says a record is not there, with the way back, and shows an erased record as erased', async () => {
    const missing = '01900000-0000-7000-8000-000000000000'
    await page.goto(`${server.url}/#/records/${missing}`)
    const alert = page.getByRole('alert')
    await alert.waitFor()
    expect(await alert.textContent()).toBe('no record with this id')
    expect(await page.getByRole('link', { name: '← All records' }).count()).toBe(1)

    const record = unsealed({
      user_id: 'erin',
      request: { model: 'gpt-4o', messages: [{ role: 'user', content: 'erin secret plan' }] },
    })
    await ingest([record])
    const erased = await fetch(`${server.url}/v1/erasure`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
      body: JSON.stringify({ user_id: 'erin' }),
    })
    expect(erased.status).toBe(200)
    await page.goto(`${server.url}/#/records/${record.id}`)
    await page.getByRole('heading', { name: `Record ${record.id}` }).waitFor()
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText, the text as rendered
    const text = await page.locator('main').innerText()
    expect(text).toContain('Erased: the data key of')
    expect(text).not.toContain('erin secret plan')
  })
})
