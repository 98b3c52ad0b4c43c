/**
 * Set on each envelope the encrypt stage builds (`sealTaken`): the envelope's JSON between its IV and its
 * tag, `","key_id":…,"subject":…,"tag":"`, made once per data key. Its presence says that `alg`, `ct`,
 * `iv` and `tag` are the stage's own base64 and algorithm name, which need no escaping, so the seal can
 * write the envelope's JSON by joining strings instead of stringifying it: the native stringify's escape
 * scan of the ciphertext (~800 characters a bench record) cost ~2 µs a record. A symbol key: JSON,
 * `for…in`, `Object.keys` and structured clones do not see it.
 */
export const ENVELOPE_MIDDLE: unique symbol = Symbol('promptledger.envelopeMiddle')

interface MarkedEnvelope {
  alg: string
  ct: string
  iv: string
  tag: string
  [ENVELOPE_MIDDLE]?: string
}

/** `JSON.stringify(enc)` for an envelope the encrypt stage built; undefined for any other value. */
export function envelopeJson(enc: unknown): string | undefined {
  if (typeof enc !== 'object' || enc === null) return undefined
  const e = enc as MarkedEnvelope
  const middle = e[ENVELOPE_MIDDLE]
  return middle === undefined ? undefined : `{"alg":"${e.alg}","ct":"${e.ct}","iv":"${e.iv}${middle}${e.tag}"}`
}
