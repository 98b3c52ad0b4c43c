import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLedger, readRecords } from '@promptledger/sdk'
import { afterEach, expect, it } from 'vitest'
import { type TestApp, testApp } from '../test-support/test-app.js'

let t: TestApp | undefined
const dirs: string[] = []
afterEach(async () => {
  await t?.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

it('createLedger({ endpoint }) ships every logged call to the collector and keeps the file ledger', async () => {
  t = await testApp()
  const url = await t.app.listen({ port: 0, host: '127.0.0.1' })
  const dir = mkdtempSync(join(tmpdir(), 'pl-'))
  dirs.push(dir)
  const ledger = createLedger({ dir, endpoint: url })
  for (let i = 0; i < 20; i++) ledger.log({ prompt: `question ${i}`, response: `answer ${i}`, metadata: { i } })
  await ledger.close()
  const page = await t.storage.query({}, { limit: 100 })
  expect(page.records).toHaveLength(20)
  expect(page.records.every((r) => r.stream === 'collector-test')).toBe(true)
  let local = 0
  for await (const _ of readRecords(dir)) local++
  expect(local).toBe(20)
  const found = await t.storage.query({ q: 'question 7' }, { limit: 5 })
  expect(found.records.length).toBeGreaterThan(0)
})
