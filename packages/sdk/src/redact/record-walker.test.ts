import { describe, expect, it } from 'vitest'
import type { UnsealedRecord } from '../record/schema.js'
import { createRedactor } from './engine.js'

function record(): UnsealedRecord {
  return {
    v: 1,
    id: '01900000-0000-7000-8000-000000000000',
    ts: '2026-01-01T00:00:00.000Z',
    end_ts: null,
    latency_ms: null,
    ttft_ms: null,
    provider: 'openai',
    operation: 'chat',
    request: {
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: [{ type: 'text', text: 'mail ana@example.com' }] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"phone":"(415) 555-0132"}' },
      ],
      tools: [{ type: 'function', function: { name: 'lookup', description: 'email a@b.co is an example' } }],
    },
    response: {
      output: 'Sure, I will call (415) 555-0132.',
      tool_calls: [
        { id: 'c1', type: 'function', name: 'send', arguments: '{"to":"bo@example.org","body":"hi","n":3}' },
        { id: 'c2', type: 'function', name: 'note', arguments: 'not json: ana@example.com' },
      ],
    },
    usage: null,
    cost_usd: null,
    status: 'error',
    error: { type: 'APIError', message: 'bad key sk-proj-A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6' },
    user_id: 'u1',
    session_id: null,
    trace_id: null,
    span_id: null,
    parent_span_id: null,
    app: null,
    environment: null,
    tags: [],
    metadata: { note: { deep: ['SSN 123-45-6780'] }, n: 1 },
    prompt_hash: null,
    redacted: true,
    redactions: {},
  }
}

describe('redactRecord', () => {
  it('redacts every free-text field, JSON inside strings included, and counts per type', () => {
    const rec = record()
    const result = createRedactor().redactRecord(rec)
    const messages = rec.request.messages!
    expect((messages[1]!.content as Array<{ text: string }>)[0]!.text).toBe('mail <EMAIL_ADDRESS>')
    expect(JSON.parse(messages[2]!.content as string)).toEqual({ phone: '<PHONE_NUMBER>' })
    expect(messages[2]!['tool_call_id']).toBe('call_1')
    expect(rec.response!.output).toBe('Sure, I will call <PHONE_NUMBER>.')
    expect(JSON.parse(rec.response!.tool_calls![0]!.arguments)).toEqual({ to: '<EMAIL_ADDRESS>', body: 'hi', n: 3 })
    expect(rec.response!.tool_calls![1]!.arguments).toBe('not json: <EMAIL_ADDRESS>')
    expect(rec.error!.message).toBe('bad key <SECRET>')
    expect(rec.metadata).toEqual({ note: { deep: ['SSN <US_SSN>'] }, n: 1 })
    // Tool schemas are developer-written, not user data.
    expect(JSON.stringify(rec.request.tools)).toContain('a@b.co')
    expect(result.counts).toEqual({ EMAIL_ADDRESS: 3, PHONE_NUMBER: 2, SECRET: 1, US_SSN: 1 })
    expect(result.responseCounts).toEqual({ PHONE_NUMBER: 1, EMAIL_ADDRESS: 2 })
    expect(rec.redactions).toEqual(result.counts)
    expect(JSON.stringify(rec)).not.toMatch(/ana@example\.com|555-0132|123-45-6780|sk-proj/)
  })

  it('writes into none of the objects it was given: changed parts are copies, in the same key order', () => {
    const rec = record()
    const messages = rec.request.messages!
    const metadata = rec.metadata
    const frozen = structuredClone({ messages, metadata })
    const untouched = messages[0]
    createRedactor().redactRecord(rec)
    expect({ messages, metadata }).toEqual(frozen)
    expect(rec.request.messages).not.toBe(messages)
    // What held nothing to redact is shared, not copied.
    expect(rec.request.messages![0]).toBe(untouched)
    expect(Object.keys(rec.metadata)).toEqual(Object.keys(metadata))
    expect(rec.metadata).toEqual({ note: { deep: ['SSN <US_SSN>'] }, n: 1 })
  })

  it('copies an own __proto__ member as a member, not as the prototype', () => {
    const rec = record()
    rec.metadata = JSON.parse('{"__proto__":"ana@example.com","a":1}') as Record<string, unknown>
    createRedactor().redactRecord(rec)
    expect(Object.getPrototypeOf(rec.metadata)).toBe(Object.prototype)
    expect(JSON.stringify(rec.metadata)).toBe('{"__proto__":"<EMAIL_ADDRESS>","a":1}')
  })

  it('leaves JSON strings untouched byte for byte when nothing is found', () => {
    const rec = record()
    rec.response!.tool_calls = [{ id: 'c', type: 'function', name: 'x', arguments: '{ "a" : 1 }' }]
    createRedactor().redactRecord(rec)
    expect(rec.response!.tool_calls[0]!.arguments).toBe('{ "a" : 1 }')
  })

  it('reads a value with its key as context: secrets and names under their keys, in JSON strings, params and metadata', () => {
    const rec = record()
    rec.request.messages = [
      {
        role: 'tool',
        content: JSON.stringify({
          password: 'Tr0ub4dor&3x',
          api_key: 'a8f5f167f44f4964e6c998dee827110c',
          first_name: 'Thabo',
          last_name: 'Mokoena',
          name: 'create_contact',
          note: 'nothing here',
        }),
      },
    ]
    rec.request.params = {
      user: 'maria@example.com',
      extra_headers: { Authorization: 'Bearer abcdefghijklmnopqrstuvwxyz012345' },
      temperature: 0.2,
    }
    rec.metadata = { id: 'john@example.com', 'X-Api-Key': 'hunter22x', type: 'premium', app_name: 'checkout-service' }
    createRedactor().redactRecord(rec)
    expect(JSON.parse(rec.request.messages[0]!.content as string)).toEqual({
      password: '<SECRET>',
      api_key: '<SECRET>',
      first_name: '<PERSON>',
      last_name: '<PERSON>',
      name: 'create_contact',
      note: 'nothing here',
    })
    expect(rec.request.params).toEqual({
      user: '<EMAIL_ADDRESS>',
      extra_headers: { Authorization: 'Bearer <SECRET>' },
      temperature: 0.2,
    })
    // In metadata the application chose the keys: `id` is not protocol structure there.
    expect(rec.metadata).toEqual({
      id: '<EMAIL_ADDRESS>',
      'X-Api-Key': '<SECRET>',
      type: 'premium',
      app_name: 'checkout-service',
    })
    // With the fixture's own: the error's key and the tool calls' two addresses.
    expect(rec.redactions).toMatchObject({ SECRET: 5, PERSON: 2, EMAIL_ADDRESS: 4 })
  })

  it('keeps provider structure fields that read as identifiers, and redacts one that holds personal data', () => {
    const rec = record()
    rec.request.messages = [{ role: 'user', content: [{ type: 'text', text: 'hi', id: 'ana@example.com' }] }]
    createRedactor().redactRecord(rec)
    expect(rec.request.messages[0]).toEqual({
      role: 'user',
      content: [{ type: 'text', text: 'hi', id: '<EMAIL_ADDRESS>' }],
    })
  })
})
