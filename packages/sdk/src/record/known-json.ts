/**
 * Objects whose JSON text is already known, exactly as `JSON.stringify` would write it: the seal splices
 * that text into a record's body instead of stringifying the object again. The encrypt stage registers
 * each envelope it builds: its ciphertext is ~800 base64 characters a bench record, and the native
 * stringify's escape scan of them cost ~2 µs, against a few string joins for the text built from parts
 * that need no escaping. Weak: an entry lives as long as its object, and the objects are never mutated
 * after they are registered.
 */
const known = new WeakMap<object, string>()

/** Records `json` as the JSON text of `value`; the caller guarantees it equals `JSON.stringify(value)`. */
export function registerJson(value: object, json: string): void {
  known.set(value, json)
}

/** The JSON text registered for `value`, if any. */
export function knownJson(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? known.get(value) : undefined
}
