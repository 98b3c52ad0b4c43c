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
          out += item === undefined || typeof item === 'function' ? 'null' : canonicalize(item)
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
        if (item === undefined || typeof item === 'function') continue
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
