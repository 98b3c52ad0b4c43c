// How a street line goes on past its number: over the rest of its line (postcodes, floors, flats, building numbers,
// city) and over the short lines under it (postcode and city, region, country). Read by the street recognizer for
// every part it found, before the parts that touch are merged into one address.

// Same-line tail after a street: more capitalised words, numbers, unit words ("… Road Kishiev Squares Suite 4"), each
// whole ("…, 34th floor" takes no "34"); postcodes that mix letters and digits or hold a dash (UK `G12 8QE`, Canada
// `V6E 3P3`, `1100-053`, `00-514`, `01310-200`) and a unit number (`#1804`), so the city is not the address's end.
// Also Ireland's Eircode (`T12 X8KP`), the Netherlands' `1016 DV`, a floor or flat (`3º B`, `3.º izq.`, `5ª planta`,
// `m. 15`, `apto 72`, `et. 2, ap. 4`, `lgh 1102`, `bl. B3`, `2. OG links`, `2. tv.`, `1. sal`, `144 bis`) and a
// building number (`No. 142`, `No: 215`, `nr. 12`).
const TAIL =
  /(?:,?[ ]{1,2}(?:[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d|[A-Z]\d{2}[ ]?[A-Z\d]{4}|\d{4}[ ][A-Z]{2}|\d{2,5}-\d{3,4}|#[ ]?\d{1,6}(?:-\d{1,4})?[A-Za-z]?|\d{1,2}\.?[º°ª]\.?(?:[ ](?:[A-Z]|izquierda|derecha|izda|dcha|izq|esq|dto|planta|piso|andar)\.?)?|(?:m|apto|app|appt|lok|piso|andar|planta|no|nr|et|ap|sc|sector|lgh|depto|dpto|sala|bl|bloco|bloque|esc|pta|puerta|bât|bat)[.:]?[ ]?(?:\d{1,5}[A-Za-z]?|[A-Z]\d{0,3})|\p{Lu}[\p{L}\p{M}.'’-]{0,30}|\d{1,6}\.?|(?:apt|links|rechts|tv|th|mf|sal|bis|ter|izq|izda|dcha|esq|dto)\.?|suite|unit|box))(?![\p{L}\p{N}])/uy

const HOUSE_SUFFIX = /^[-/](?:\d{1,4}|[A-Z]{1,3})(?![\p{L}\p{N}])/u

export function extendLine(text: string, end: number): number {
  let pos = end
  for (let i = 0; i < 8; i++) {
    // A number's own suffixes: `221-H`, `418-II`, `84/92`, `17/4`, `7-15`, `RT 03/RW 05`, `88/2/14`.
    for (let k = 0; k < 3 && pos > 0 && isDigitCode(text.charCodeAt(pos - 1)); k++) {
      const s = HOUSE_SUFFIX.exec(text.slice(pos, pos + 6))
      if (s === null) break
      pos += s[0].length
    }
    // TAIL opens with a comma or a space: most streets end before something else, and skip the regex call.
    const c = pos < text.length ? text.charCodeAt(pos) : -1 // never a read past the end (see codeAt() in text-profile.ts)
    if (c !== 44 && c !== 32) break
    TAIL.lastIndex = pos
    const m = TAIL.exec(text)
    if (m === null) break
    const word = m[0]
    // A word of four letters or more that ends in a dot ends a sentence ("…, London. I am"), not an abbreviation
    // ("St.", "Mt."): the address stops before the dot. So does a number's dot before a capitalised word that names
    // no floor ("Praha 10. Kurýr …", not "Weidenweg 12, 2. OG").
    if (word.endsWith('.') && sentenceEnd(word, text, pos + word.length)) return pos + word.length - 1
    if (
      word.endsWith('.') &&
      isDigitCode(word.charCodeAt(word.length - 2)) &&
      sentenceAfterNumber(text, pos + word.length)
    )
      return pos + word.length - 1
    pos += word.length
  }
  return pos
}

/** A space and a capitalised word other than a floor's (FLOOR_WORDS) at `at`, after a number's dot. */
function sentenceAfterNumber(text: string, at: number): boolean {
  if (text.charCodeAt(at) !== 32) return false
  const c = text.charCodeAt(at + 1)
  if (!(c >= 65 && c <= 90) && !(c >= 0xc0 && c <= 0xde)) return false
  let e = at + 1
  while (e < text.length && e - at <= 12 && isLetterCode(text.charCodeAt(e))) e++
  return !FLOOR_WORDS.has(text.slice(at + 1, e).toLowerCase())
}
const FLOOR_WORDS = new Set([
  'og',
  'eg',
  'ug',
  'dg',
  'stock',
  'etage',
  'obergeschoss',
  'floor',
  'sal',
  'tv',
  'th',
  'mf',
])

function isLetterCode(c: number): boolean {
  return ((c | 32) - 97) >>> 0 < 26 || (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7)
}

/** Whether a tail word ending in a dot ends a sentence: four letters or more before the dot, and a space or the end after it. */
function sentenceEnd(word: string, text: string, after: number): boolean {
  const c = after < text.length ? text.charCodeAt(after) : 32
  if (c !== 32 && c !== 10 && c !== 9 && c !== 13) return false
  let letters = 0
  for (let i = word.length - 2; i >= 0; i--) {
    const ch = word.charCodeAt(i)
    if (ch === 32 || ch === 44 || ch === 46) break
    letters++
  }
  return letters >= 4
}

// A continuation line: short, no sentence inside, starting like a place, region or postcode.
const CONTINUATION = /^[ \t>]{0,16}[,]?[ \t]{0,4}[\p{Lu}\p{N}(][^\n.?!@:]{0,48}$/u

/** Extends an address over up to four following lines that read like city, region, postcode or country. */
export function extend(text: string, end: number): number {
  let pos = end
  for (let lines = 0; lines < 4; lines++) {
    // The line must end right here (at most two characters on): a bounded look, never a scan to the next newline.
    let nl = -1
    for (let i = pos; i < pos + 3 && i < text.length; i++) {
      if (text.charCodeAt(i) === 10) {
        nl = i
        break
      }
    }
    if (nl === -1) break
    // At most seven words (six spaces), counted in place while the line's end is found, before the regex; a blank
    // line fails CONTINUATION, which needs a capital, digit or parenthesis.
    // The line's indentation (up to sixteen spaces, as CONTINUATION allows) counts neither as words nor as length.
    let lineEnd = nl + 1
    while (lineEnd < text.length && lineEnd - nl <= 16 && text.charCodeAt(lineEnd) === 32) lineEnd++
    const indent = lineEnd - nl - 1
    let spaces = 0
    for (; lineEnd < text.length && lineEnd - nl - indent <= 64 && spaces <= 6; lineEnd++) {
      const c = text.charCodeAt(lineEnd)
      if (c === 10) break
      if (c === 32) spaces++
    }
    if (spaces > 6 || !CONTINUATION.test(text.slice(nl + 1, lineEnd))) break
    pos = lineEnd
  }
  return pos
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57
}
