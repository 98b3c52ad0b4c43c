/**
 * One pass over a text that prepares it for phrase matching and counts the character-level injection
 * signals at the same time. Everything the signals need from the raw characters is gathered here so
 * that no rule walks the text twice and no regular expression sees the raw (possibly huge) input.
 */
export interface TextScan {
  /** Lower-cased, invisible characters removed, whitespace runs collapsed to one space, curly quotes straightened. */
  normalized: string
  /** Unicode tag characters (U+E0000–U+E007F): invisible to people, read by models. */
  tagChars: number
  /** Zero-width and bidirectional control characters (ZWJ/ZWNJ excluded: emoji and Persian use them). */
  invisibleChars: number
  /** Longest run that looks like base64 (mixed case and digits); runs under {@link MIN_RUN} count as 0. */
  longestBase64: number
  /** Longest run of hex digits; runs under {@link MIN_RUN} count as 0. */
  longestHex: number
}

/** Shorter runs are ordinary words, numbers and ids; only long ones can be encoded payloads. */
export const MIN_RUN = 24

// ASCII fast path (the common case): native regular expressions instead of a per-character loop, which
// cost 2–3× a JSON.stringify of the record. Pure ASCII holds no tag, invisible or curly-quote characters.
const NON_ASCII = /[\u0080-\uffff]/
const ASCII_SPACE_FIX = /[\t\n\v\f\r ]{2,}|[\t\n\v\f\r]/g
/**
 * Longest base64-like and hex runs in one tight loop (about a JSON.stringify of the text; a regular
 * expression such as /[A-Za-z0-9+/=]{24,}/ retries at every position of every word and costs ~8×).
 * No run crosses a space, so only the space-free stretches of at least {@link MIN_RUN} characters are
 * walked; the native `indexOf` skips ordinary words, which made this the costliest step of the signals.
 */
function longestRuns(text: string): { longestBase64: number; longestHex: number } {
  let longestBase64 = 0
  let longestHex = 0
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf(' ', start)
    if (end < 0) end = text.length
    if (end - start >= MIN_RUN) {
      const runs = runsIn(text, start, end)
      if (runs.longestBase64 > longestBase64) longestBase64 = runs.longestBase64
      if (runs.longestHex > longestHex) longestHex = runs.longestHex
    }
    start = end + 1
  }
  return { longestBase64, longestHex }
}

/** `longestRuns` over `text[from, to)`, one character at a time. */
function runsIn(text: string, from: number, to: number): { longestBase64: number; longestHex: number } {
  let b64 = 0
  let mask = 0
  let hex = 0
  let hexDigit = false
  let longestBase64 = 0
  let longestHex = 0
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    const digit = c >= 0x30 && c <= 0x39
    const lower = c >= 0x61 && c <= 0x7a
    const upper = c >= 0x41 && c <= 0x5a
    if (digit || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)) {
      hex++
      if (digit) hexDigit = true
    } else {
      if (hexDigit && hex >= MIN_RUN && hex > longestHex) longestHex = hex
      hex = 0
      hexDigit = false
    }
    if (digit || lower || upper || c === 0x2b || c === 0x2f) {
      b64++
      mask |= digit ? 1 : upper ? 2 : lower ? 4 : 0
    } else if (c !== 0x3d) {
      // '=' is padding: it neither ends a run nor counts toward it.
      if (mask === 7 && b64 >= MIN_RUN && b64 > longestBase64) longestBase64 = b64
      b64 = 0
      mask = 0
    }
  }
  if (mask === 7 && b64 >= MIN_RUN && b64 > longestBase64) longestBase64 = b64
  if (hexDigit && hex >= MIN_RUN && hex > longestHex) longestHex = hex
  return { longestBase64, longestHex }
}

/**
 * Whether `text` has `min` or more consecutive characters of [A-Za-z0-9+/=]: the only place a base64
 * or hex run of that length can be. Any such stretch covers one of the positions min−1, 2·min−1, …,
 * so only those are looked at and widened: a few character reads for ordinary text, where the
 * per-character run count would read every character.
 */
export function hasLongRunStretch(text: string, min: number): boolean {
  for (let at = min - 1; at < text.length; at += min) {
    if (!isRunChar(text.charCodeAt(at))) continue
    let start = at
    while (start > 0 && isRunChar(text.charCodeAt(start - 1))) start--
    let end = at + 1
    while (end < text.length && end - start < min && isRunChar(text.charCodeAt(end))) end++
    if (end - start >= min) return true
  }
  return false
}

function isRunChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x2b ||
    c === 0x2f ||
    c === 0x3d
  )
}

/** Zero-width spaces, word joiners, invisible operators, BOM, Mongolian vowel separator, bidi controls. */
export function isInvisible(c: number): boolean {
  return (
    c === 0x200b ||
    c === 0x200e ||
    c === 0x200f ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2060 && c <= 0x2064) ||
    (c >= 0x2066 && c <= 0x2069) ||
    c === 0xfeff ||
    c === 0x180e ||
    c === 0x00ad
  )
}

/** Whitespace that normalization collapses into one space. */
export function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200a)
}

/**
 * `scanText(text).normalized` alone, for texts only matched against phrases (the response): ASCII text
 * skips the run counting, a character loop as long as the normalization itself.
 *
 * @example
 * normalizeText("I'm  NOT sure") // "i'm not sure"
 */
export function normalizeText(text: string): string {
  if (!NON_ASCII.test(text)) return text.replace(ASCII_SPACE_FIX, ' ').toLowerCase().trim()
  return scanText(text).normalized
}

/**
 * Scans `text` once. Linear in its length: a plain loop over UTF-16 code units with constant work per unit.
 *
 * @example
 * scanText('Ignore\u200b  PREVIOUS instructions').normalized // 'ignore previous instructions'
 */
export function scanText(text: string): TextScan {
  if (!NON_ASCII.test(text)) {
    const normalized = text.replace(ASCII_SPACE_FIX, ' ').toLowerCase().trim()
    return { normalized, tagChars: 0, invisibleChars: 0, ...longestRuns(text) }
  }
  const out: string[] = []
  let chunkStart = 0
  let tagChars = 0
  let invisibleChars = 0
  let longestBase64 = 0
  let longestHex = 0
  // Current run of base64 / hex characters and which classes it has seen.
  let b64Run = 0
  let b64Mask = 0
  let hexRun = 0
  let hexDigit = false
  let lastWasSpace = true
  const closeB64 = () => {
    // A real encoded blob of this length has all three classes; long words and numbers do not.
    if (b64Mask === 7 && b64Run >= MIN_RUN && b64Run > longestBase64) longestBase64 = b64Run
    b64Run = 0
    b64Mask = 0
  }
  const closeHex = () => {
    if (hexDigit && hexRun >= MIN_RUN && hexRun > longestHex) longestHex = hexRun
    hexRun = 0
    hexDigit = false
  }
  // Characters that change are flushed as chunks; untouched stretches are copied with one slice.
  const replace = (i: number, width: number, by: string) => {
    if (i > chunkStart) out.push(text.slice(chunkStart, i))
    if (by) out.push(by)
    chunkStart = i + width
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    const isDigit = c >= 0x30 && c <= 0x39
    const isUpper = c >= 0x41 && c <= 0x5a
    const isLower = c >= 0x61 && c <= 0x7a
    if (isDigit || isUpper || isLower || c === 0x2b || c === 0x2f) {
      b64Run++
      b64Mask |= isDigit ? 1 : isUpper ? 2 : isLower ? 4 : 0
    } else if (c !== 0x3d) closeB64()
    if (isDigit || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)) {
      hexRun++
      if (isDigit) hexDigit = true
    } else closeHex()
    if (c === 0xdb40 && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1)
      if (low >= 0xdc00 && low <= 0xdc7f) {
        tagChars++
        replace(i, 2, '')
        i++
        continue
      }
    }
    if (isInvisible(c)) {
      invisibleChars++
      replace(i, 1, '')
      continue
    }
    if (isSpace(c)) {
      // A single plain space is already normalized: leave it in the current chunk (the common case).
      if (c !== 0x20 || lastWasSpace) replace(i, 1, lastWasSpace ? '' : ' ')
      lastWasSpace = true
      continue
    }
    lastWasSpace = false
    if (c === 0x2019 || c === 0x2018 || c === 0x02bc) replace(i, 1, "'")
  }
  closeB64()
  closeHex()
  if (chunkStart < text.length) out.push(text.slice(chunkStart))
  return { normalized: out.join('').toLowerCase().trim(), tagChars, invisibleChars, longestBase64, longestHex }
}
