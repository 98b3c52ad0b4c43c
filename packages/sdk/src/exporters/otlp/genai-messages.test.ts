import { describe, expect, it } from 'vitest'
import type { LedgerRecord, UnsealedRecord } from '../../record/schema.js'
import { Chain, genesis } from '../../seal/chain.js'
import { unsealedRecord } from '../../test-support/records.js'
import { inputMessages, outputMessages } from './genai-messages.js'

function record(overrides: Partial<UnsealedRecord>): LedgerRecord {
  return new Chain(genesis('t')).seal(unsealedRecord(overrides))
}

describe('GenAI messages', () => {
  it('turns an OpenAI tool round trip into text, tool_call and tool_call_response parts', () => {
    const r = record({
      request: {
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'rainy' },
        ],
      },
      response: {
        output: [{ role: 'assistant', content: null }],
        tool_calls: [{ id: 'c2', type: 'function', name: 'forecast', arguments: 'not json' }],
        finish_reasons: ['tool_calls'],
      },
    })
    expect(inputMessages(r)).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'weather', arguments: { city: 'Paris' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: 'rainy' }] },
    ])
    expect(outputMessages(r)).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 'c2', name: 'forecast', arguments: 'not json' }],
        finish_reason: 'tool_calls',
      },
    ])
  })

  it('reads Anthropic content blocks and keeps parts it does not know', () => {
    const r = record({
      provider: 'anthropic',
      request: {
        model: 'claude-sonnet-4',
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'lookup', input: { q: 'x' } }] },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 't1', content: 'found' },
              { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
            ],
          },
        ],
      },
    })
    expect(inputMessages(r)).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 't1', name: 'lookup', arguments: { q: 'x' } }] },
      {
        role: 'user',
        parts: [
          { type: 'tool_call_response', id: 't1', response: 'found' },
          { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
        ],
      },
    ])
    expect(outputMessages(r)).toBeNull()
  })

  it('takes a text input as a user message and leaves embeddings output out', () => {
    const r = record({
      operation: 'embeddings',
      request: { model: 'text-embedding-3-small', input: 'hello' },
      response: { output: { embeddings: 1, dimensions: 1536 } },
    })
    expect(inputMessages(r)).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'hello' }] }])
    expect(outputMessages(r)).toBeNull()
    expect(inputMessages(record({ request: { model: 'm', input: [1, 2] } }))).toBeNull()
  })
})
