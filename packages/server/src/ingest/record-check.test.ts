import { Chain, canonicalize, genesis, unsealedRecordSchema } from '@promptledger/sdk'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { unsealed } from '../test-support/records.js'
import { checkRecord } from './record-check.js'

/** Records that use every part of the schema: tool calls, errors, full usage, signals, encryption, unknown keys. */
const full = () =>
  unsealed({
    request: {
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'hi' }], name: 'ann' } as never,
      ],
      input: { nested: [1, 'two', null] },
      params: { temperature: 0.2, stop: ['\n'] },
      tools: [{ type: 'function', function: { name: 'f' } }],
    },
    response: {
      model: null,
      id: 'resp-1',
      output: [{ role: 'assistant', content: 'ok' }],
      finish_reasons: ['tool_calls'],
      tool_calls: [{ id: null, type: 'function', name: 'f', arguments: '{}', extra: true } as never],
    },
    usage: {
      input_tokens: 1,
      output_tokens: null,
      cache_read_tokens: 0,
      cache_write_tokens: 3,
      reasoning_tokens: 4,
      estimated: true,
    },
    status: 'error',
    error: { type: 'rate_limit', message: 'slow down', http_status: 429 },
    tags: ['a', 'b'],
    metadata: { region: 'eu', n: 1, deep: { x: [1] } },
    prompt_hash: 'a'.repeat(64),
    redactions: { EMAIL_ADDRESS: 2 },
    enc: { alg: 'aes-256-gcm', key_id: 'k1', subject: 'u1', iv: 'aa', tag: 'bb', ct: 'cc' },
    signals: {
      injection_score: 0.5,
      injection_rules: ['ignore-previous'],
      uncertainty: false,
      uncertainty_phrases: [],
      pii_in_response: { PHONE_NUMBER: 1 },
      response_chars: 12,
      custom: 'kept',
    } as never,
  })

/** Every path (as keys) to a member of a JSON value. */
function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value !== 'object' || value === null) return []
  const out: Array<Array<string | number>> = []
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value)
  for (const [key, item] of entries) {
    const path = [...prefix, key]
    out.push(path, ...paths(item, path))
  }
  return out
}

function mutate(record: unknown, path: Array<string | number>, action: 'set' | 'delete', value: unknown): unknown {
  const copy = structuredClone(record) as Record<string | number, unknown>
  let node = copy
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>
  const last = path[path.length - 1]!
  if (action === 'delete') delete node[last]
  // As JSON.parse makes it: an own member, also when it is named `__proto__` (assignment would set the prototype).
  else Object.defineProperty(node, last, { value, enumerable: true, writable: true, configurable: true })
  return copy
}

const hostile = fc.oneof(
  fc.jsonValue(),
  fc.anything(),
  fc.constantFrom(-1, -0, 0.5, 1.5, 600, 99, 2 ** 53, Number.POSITIVE_INFINITY, Number.NaN, '', 'x'.repeat(1025)),
  fc.constantFrom('2026-01-01T00:00:00Z', '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', 'A'.repeat(64), 'chat', 'error'),
  fc.constantFrom({ __proto__: null, a: 1 }, JSON.parse('{"__proto__": {"polluted": 1}}'), [], {}),
)

/** The canonical encoding, or the error it raises (NaN under metadata passes both validators; the seal refuses it). */
function encoded(value: unknown): string {
  try {
    return canonicalize(value)
  } catch (err) {
    return `error: ${(err as Error).message}`
  }
}

/** The fast check agrees with zod: it accepts only what zod accepts, and then returns what zod returns. */
function agrees(item: unknown): void {
  const fast = checkRecord(item)
  const slow = unsealedRecordSchema.safeParse(item)
  if (fast === null) return
  expect(slow.success).toBe(true)
  // The chain fields are placeholders the seal fills in (undefined until then).
  const { prev_hash, seq, stream, ...rest } = fast as unknown as Record<string, unknown>
  expect([prev_hash, seq, stream]).toEqual([undefined, undefined, undefined])
  // So is `enc` for a record that arrives in clear: the collector's encryption fills it in place.
  if (rest['enc'] === undefined && !('enc' in (slow.data as object))) delete rest['enc']
  expect(rest).toStrictEqual(slow.data)
  // Same canonical encoding: the seal hashes the same bytes whichever path validated the record.
  expect(encoded(fast)).toBe(encoded(slow.data))
}

describe('checkRecord', () => {
  it('accepts valid records and returns what zod returns', () => {
    for (const record of [unsealed(), full(), JSON.parse(JSON.stringify(full()))]) {
      expect(checkRecord(record)).not.toBeNull()
      agrees(record)
    }
  })

  it('drops the chain fields and unknown keys of strict objects, as zod does', () => {
    const record = { ...full(), stream: 's', seq: 3, hash: 'h', prev_hash: 'p', extra: 1 }
    const checked = checkRecord(record) as unknown as Record<string, unknown>
    expect(checked).not.toBeNull()
    expect(checked['stream']).toBeUndefined()
    expect(Object.keys(checked)).not.toContain('extra')
    agrees(record)
  })

  it('builds a record that stays in canonical key order once sealed', () => {
    const sealed = new Chain(genesis('s')).seal(checkRecord(full())!) as unknown as Record<string, unknown>
    const ordered = (value: unknown): boolean => {
      if (typeof value !== 'object' || value === null) return true
      if (Array.isArray(value)) return value.every(ordered)
      const keys = Object.keys(value)
      return keys.every((k, i) => i === 0 || keys[i - 1]! < k) && Object.values(value).every(ordered)
    }
    // Values of `z.unknown()` members (content, input, output) are the client's own objects, as zod keeps them.
    // `hash` comes last, after the encoder has run.
    const { request, response, hash, ...rest } = sealed
    expect(ordered(rest)).toBe(true)
    expect(Object.keys(sealed).filter((k) => k !== 'hash')).toEqual(
      Object.keys(sealed)
        .filter((k) => k !== 'hash')
        .sort(),
    )
  })

  it('agrees with zod on any single-field mutation of a valid record', () => {
    const bases = [unsealed(), full()]
    const all = bases.map((b) => ({ base: b, paths: paths(b) }))
    fc.assert(
      fc.property(
        fc.nat(),
        fc.nat(),
        fc.constantFrom('set' as const, 'delete' as const),
        hostile,
        (b, p, action, value) => {
          const { base, paths: ps } = all[b % all.length]!
          agrees(mutate(base, ps[p % ps.length]!, action, value))
        },
      ),
      { numRuns: 3000 },
    )
  })

  it('agrees with zod on added members at any depth', () => {
    const base = full()
    const objects = paths(base).filter((p) => {
      let node: unknown = base
      for (const k of p) node = (node as Record<string | number, unknown>)[k]
      return typeof node === 'object' && node !== null && !Array.isArray(node)
    })
    fc.assert(
      fc.property(fc.nat(), fc.string(), hostile, (p, key, value) => {
        agrees(mutate(base, [...objects[p % objects.length]!, key], 'set', value))
        agrees({ ...base, [key]: value })
      }),
      { numRuns: 2000 },
    )
  })

  it('returns null for anything that is not a record object', () => {
    for (const item of [null, 1, 'x', [], [unsealed()]]) expect(checkRecord(item)).toBeNull()
  })
})
