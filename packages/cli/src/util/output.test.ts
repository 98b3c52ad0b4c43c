import type { LedgerRecord } from '@promptledger/sdk'
import { describe, expect, it } from 'vitest'
import { unsealedRecord } from '../../../sdk/src/test-support/records.js'
import { formatRecordLine } from './output.js'

const record = (extra: object): LedgerRecord =>
  ({
    ...unsealedRecord({
      ts: '2026-01-02T03:04:05.000Z',
      latency_ms: 12,
      request: { model: 'm', messages: [{ role: 'user', content: 'the question' }] },
      response: { model: 'm', output: 'the answer' },
      user_id: 'u1',
    }),
    stream: 's',
    seq: 4,
    ...extra,
  }) as LedgerRecord

describe('formatRecordLine', () => {
  it('shows prompt and answer, or says why the content is not there', () => {
    expect(formatRecordLine(record({}))).toBe('2026-01-02T03:04:05.000Z s#4 ok m u1 12ms  the question → the answer')
    expect(formatRecordLine(record({ erased: true }))).toBe('2026-01-02T03:04:05.000Z s#4 ok m u1 12ms  [erased]')
    expect(formatRecordLine(record({ unreadable: 'KEY_NOT_FOUND' }))).toBe(
      '2026-01-02T03:04:05.000Z s#4 ok m u1 12ms  [unreadable: KEY_NOT_FOUND]',
    )
  })
})
