import type { Finding } from './recognizer.js'

/**
 * Redacts text that arrives in chunks (a streamed response). `push` returns the redacted text that is final so far;
 * `end` returns the rest. The concatenated output equals redacting the whole text at once.
 *
 * @example
 * const s = createRedactor().createStream()
 * let out = s.push('mail ana@exa') + s.push('mple.com now') + s.end() // 'mail <EMAIL_ADDRESS> now'
 */
export interface StreamRedactor {
  push(chunk: string): string
  end(): string
  /** Findings emitted so far; offsets are into the whole stream. */
  readonly findings: readonly Finding[]
}

type Analyze = (text: string) => Finding[]
type Apply = (text: string, findings: Finding[]) => string

/** Text kept behind the newest character: longer than any entity the cut could split, plus context words. */
const HOLD = 1024
/** Context kept before the cut so recognizers see the words that precede the next entity. */
const CONTEXT = 128
/** Hard cap on buffered text; past it the cut is forced (outside findings) so memory stays bounded. */
const MAX_BUFFER = 64 * 1024

/** Builds a stream redactor over the engine's own analyze and apply steps. */
export function createStreamRedactor(analyze: Analyze, apply: Apply): StreamRedactor {
  let buf = '' // [0, ctx) already emitted context, [ctx, buf.length) pending
  let ctx = 0
  let base = 0 // stream offset of buf[0]
  const emitted: Finding[] = []

  function flush(final: boolean): string {
    const found = analyze(buf).filter((f) => f.start >= ctx)
    let cut = buf.length
    if (!final) {
      const limit = buf.length - HOLD
      if (limit <= ctx) return ''
      cut = safeCut(buf, ctx, limit, found, buf.length > MAX_BUFFER)
      if (cut <= ctx) return ''
    }
    const mine = found.filter((f) => f.end <= cut)
    // apply() works on offsets into the slice it is given.
    const local = mine.map((f) => ({ ...f, start: f.start - ctx, end: f.end - ctx }))
    const out = apply(buf.slice(ctx, cut), local)
    for (const f of mine) emitted.push({ ...f, start: f.start + base, end: f.end + base })
    const keepFrom = Math.max(0, cut - CONTEXT)
    base += keepFrom
    buf = buf.slice(keepFrom)
    ctx = cut - keepFrom
    return out
  }

  return {
    push(chunk: string): string {
      buf += chunk
      // Amortised: analyse only once the pending text is well past the hold window.
      if (buf.length - ctx < 2 * HOLD) return ''
      return flush(false)
    },
    end(): string {
      const out = flush(true)
      buf = ''
      ctx = 0
      return out
    },
    get findings() {
      return emitted
    },
  }
}

/**
 * The last whitespace at or before `limit` that no finding covers and that no unfinished PEM block precedes. When
 * `force` is set (buffer over the cap) any position outside findings will do.
 */
function safeCut(buf: string, from: number, limit: number, found: Finding[], force: boolean): number {
  const pem = buf.lastIndexOf('-----BEGIN', limit)
  if (!force && pem >= from && buf.indexOf('-----END', pem) === -1) limit = Math.min(limit, pem)
  for (let p = limit; p > from; p--) {
    const c = buf.charCodeAt(p - 1)
    const space = c === 32 || c === 10 || c === 9 || c === 13
    if (!space && !force) continue
    if (isHighSurrogate(c)) continue
    let inside = false
    for (const f of found) {
      if (f.start < p && p < f.end) {
        inside = true
        break
      }
    }
    if (!inside) return p
  }
  return from
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff
}
