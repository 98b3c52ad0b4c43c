/** How sure we are that a three-part token is a JWT. */
export type JwtCheck = 'valid' | 'shaped' | 'invalid'

/**
 * Confirms a JWT by decoding its header: `valid` when the header is a JSON object naming an `alg`; `shaped` when
 * header and payload both decode to text that opens a JSON object (`eyJ` = `{"`) but the header does not parse
 * (truncated or synthetic tokens); `invalid` otherwise.
 *
 * @example
 * checkJwt('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig') // 'valid'
 */
export function checkJwt(token: string): JwtCheck {
  const dot1 = token.indexOf('.')
  const dot2 = token.indexOf('.', dot1 + 1)
  if (dot1 < 0 || dot2 < 0) return 'invalid'
  const header = token.slice(0, dot1)
  if (!header.startsWith('eyJ') || !token.startsWith('eyJ', dot1 + 1)) return 'invalid'
  const decoded = Buffer.from(header, 'base64url').toString('latin1')
  // Parse only what looks like a complete JSON object naming an alg: a thrown parse error costs far more than this.
  if (decoded.endsWith('}') && decoded.includes('"alg"')) {
    try {
      const parsed: unknown = JSON.parse(decoded)
      if (parsed !== null && typeof parsed === 'object' && 'alg' in parsed) return 'valid'
    } catch {
      // not JSON after all: fall through to the structural verdict
    }
  }
  return dot2 - dot1 > 8 && token.length - dot2 > 8 ? 'shaped' : 'invalid'
}
