/**
 * Canonical JSON (RFC 8785, JCS) of a JSON value: object keys sorted by UTF-16 code units, no
 * whitespace, numbers in ECMAScript shortest form (which `JSON.stringify` already produces, and
 * which RFC 8785 §3.2.2.3 adopts), strings escaped as `JSON.stringify` escapes them.
 * `undefined` members are omitted, as in JSON. Non-finite numbers are rejected.
 *
 * The seal stage hashes this encoding, so any reader in any language can recompute a record's hash.
 */
export function canonicalize(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot encode a non-finite number')
      return JSON.stringify(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object': {
      if (value === null) return 'null'
      if (Array.isArray(value)) {
        let out = '['
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ','
          const item = value[i]
          out +=
            item === undefined || typeof item === 'function' || typeof item === 'symbol' ? 'null' : canonicalize(item)
        }
        return out + ']'
      }
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
        return canonicalize((value as { toJSON(): unknown }).toJSON())
      }
      const keys = Object.keys(value).sort()
      let out = '{'
      let first = true
      for (const key of keys) {
        const item = (value as Record<string, unknown>)[key]
        // Left out, as JSON.stringify leaves them out.
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue
        if (!first) out += ','
        first = false
        out += JSON.stringify(key) + ':' + canonicalize(item)
      }
      return out + '}'
    }
    case 'bigint':
      throw new TypeError('canonical JSON cannot encode a bigint')
    default:
      return 'null'
  }
}

/** Marks a value `JSON.stringify` cannot encode canonically even after sorting keys (bigint, symbol, NaN, …). */
export const NOT_SHAPABLE: unique symbol = Symbol('not-shapable')

/**
 * The value itself when `JSON.stringify(value)` already is its RFC 8785 encoding, else a copy in which
 * every object's keys are in code-unit order so that one native `JSON.stringify` of the copy is, or
 * {@link NOT_SHAPABLE} when no key order can make it so (bigint, non-finite numbers, `toJSON`, integer-like
 * keys, which every engine enumerates first in numeric order, and `__proto__`). Only unsorted subtrees and
 * their parents are copied. Copies are plain `{}` objects built in sorted order: V8 keeps those in fast
 * mode, which the native stringify reads several times faster than prototype-less (dictionary) objects.
 *
 * @example
 * JSON.stringify(canonicalShape({ b: 1, a: [true] })) // '{"a":[true],"b":1}'
 */
export function canonicalShape(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : NOT_SHAPABLE
    case 'bigint':
    case 'symbol':
      return NOT_SHAPABLE
    case 'object':
      break
    default:
      // strings, booleans, and undefined/functions (omitted in objects, null in arrays by both encoders)
      return value
  }
  if (value === null) return value
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined
    for (let i = 0; i < value.length; i++) {
      const item = value[i]
      const shaped = canonicalShape(item)
      if (shaped === NOT_SHAPABLE) return NOT_SHAPABLE
      if (shaped !== item) copy ??= value.slice(0, i)
      if (copy) copy.push(shaped)
    }
    return copy ?? value
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return NOT_SHAPABLE
  const obj = value as Record<string, unknown>
  let sorted = true
  let changed = false
  let prev: string | undefined
  for (const key in obj) {
    if (prev !== undefined && !(prev < key)) sorted = false
    const item = obj[key]
    const shaped = canonicalShape(item)
    if (shaped === NOT_SHAPABLE) return NOT_SHAPABLE
    if (shaped !== item) changed = true
    prev = key
  }
  if (sorted && !changed) return value
  const keys = Object.keys(obj).sort()
  const out: Record<string, unknown> = {}
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    if (key === '__proto__') return NOT_SHAPABLE
    out[key] = canonicalShape(obj[key])
  }
  const order = Object.keys(out)
  for (let i = 0; i < order.length; i++) if (order[i] !== keys[i]) return NOT_SHAPABLE
  return out
}

/**
 * RFC 8785 encoding of any value, equal to `canonicalize(value)`: through a sorted copy and one native
 * `JSON.stringify` when the value can be shaped (several times cheaper than encoding key by key in
 * JavaScript: chat messages are written `{ role, content }`, out of canonical order), else the general encoder.
 *
 * @example
 * canonicalJson([{ role: 'user', content: 'hi' }]) // '[{"content":"hi","role":"user"}]'
 */
export function canonicalJson(value: unknown): string {
  // Top-level undefined and functions: the general encoder's 'null' (the native stringify returns undefined).
  if (typeof value !== 'object' || value === null) return canonicalize(value)
  const shaped = canonicalShape(value)
  return shaped === NOT_SHAPABLE ? canonicalize(value) : JSON.stringify(shaped)
}

/**
 * `canonicalShape(value)`, or the value unchanged when it cannot be shaped (the general encoder then
 * handles it at seal time). For building records whose objects are already in canonical order.
 */
export function canonicalOrSame<T>(value: T): T {
  const shaped = canonicalShape(value)
  return (shaped === NOT_SHAPABLE ? value : shaped) as T
}
