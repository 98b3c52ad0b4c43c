import type { Finding, Recognizer } from '../recognizer.js'

// Street-type words in the languages most addresses are written in. Suffix forms are matched as word endings.
const TYPES =
  'street|st|road|rd|avenue|ave|av|lane|ln|drive|dr|boulevard|blvd|court|ct|way|place|pl|terrace|close|crescent|circle|cir|parkway|pkwy|highway|hwy|square|sq|row|walk|gardens|grove|hill|alley|trail|plaza|path|loop|mews|quay|wharf|esplanade'
const PREFIXES =
  'rua|avenida|avda\\.?|av\\.|via|viale|piazza|corso|calle|carrer|paseo|plaza|praça|rue|boulevard|bd\\.?|chemin|allée|place|ul\\.|ulica|aleja|al\\.|trg|náměstí|nám\\.|utca|út|tér|str\\.|λ\\.|οδός|πλατεία'
const SUFFIXES =
  'straße|strasse|str\\.|gasse|weg|platz|allee|ring|damm|ufer|laan|straat|gracht|plein|kade|vej|gade|gate|gata|gatan|vägen|veien|väg|katu|tie|kuja|polku|tori|braut|gränd|stræde|utca|út'
const WORD = "[\\p{L}\\p{M}.'’-]{1,30}"
// "216 Menzies Street", "99449 18 McPherson Road": number, up to four words, a street type.
const NUMBER_FIRST = new RegExp(
  `(?<![\\p{L}\\p{N}])\\d{1,6}[A-Za-z]?(?:[ ,]{1,2}\\d{1,5})?[ ]{1,3}(?:${WORD}[ ]{1,3}){0,4}?(?:${TYPES})\\.?(?![\\p{L}\\p{N}])`,
  'giu',
)
// "Rua Igreja 25", "ul. Słowicza 10", "26 rue des lieutemants Thomazo": a street prefix, words, a number.
const PREFIX_FIRST = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:\\d{1,6}[ ]{1,3})?(?:${PREFIXES})[ ]{1,3}(?:${WORD}[ ]{1,3}){0,4}?(?:\\d{1,5}[A-Za-z]?|${WORD})(?![\\p{L}\\p{N}])`,
  'giu',
)
// "Kiannonkatu 98", "Friedhofstrasse 33", "Ringvej 144": a compound street name and a number.
const COMPOUND = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:\\d{1,6}[ ]{1,3})?[\\p{L}\\p{M}]{1,30}(?:${SUFFIXES})[ ]{1,3}\\d{1,5}[A-Za-z]?(?![\\p{L}\\p{N}])`,
  'giu',
)
// Units, post boxes and military addresses.
const UNIT =
  /(?<![\p{L}\p{N}])(?:(?:apt|apartment|suite|ste|unit|flat)\.?[ ]{0,2}#?\d{1,6}[A-Za-z]?(?:,?[ ]{1,2}box[ ]{1,2}\d{1,6})?|p\.?[ ]?o\.?[ ]?box[ ]{1,2}\d{1,6}|postbox[ ]{1,2}\d{1,6}|(?:psc|cmr)[ ]{1,2}\d{1,6},?[ ]{1,2}box[ ]{1,2}\d{1,6}|usn[sv][ ]{1,2}\p{Lu}\p{Ll}{1,20}|[afd]po[ ]{1,2}a[aep][ ]{1,2}\d{5})(?![\p{L}\p{N}])/giu
// "lives at …", "address: …": the rest of the line after an address phrase.
const CONTEXT =
  /(?<![\p{L}])(?:address(?:[ ]is)?|lives?[ ]at|living[ ]at|located[ ]at|live[ ]in|resides?[ ]at|moved[ ]to|ship(?:ped)?[ ]to|deliver(?:ed)?[ ]to|mail(?:ed)?[ ]to|send[ ](?:it[ ]|this[ ]|them[ ]|a[ ]new[ ]one[ ])?to|return(?:ed)?[ ](?:it[ ])?to|meet[ ](?:me[ ])?at)[ \t]{0,4}:?[ \t\n]{0,8}(?:>[ ]?)?([^\n]{4,120})/giu

/**
 * STREET_ADDRESS: street lines in several conventions (number first, street-type prefix, compound names such as
 * "…katu 98" or "…strasse 33"), units and post boxes, and the text after address phrases ("lives at", "address:").
 * A street line then extends over the short lines that follow it (city, region, postcode, country).
 *
 * @example
 * streetAddressRecognizer.find('ship to 216 Menzies Street') // one STREET_ADDRESS finding
 */
export const streetAddressRecognizer: Recognizer = {
  name: 'street-address',
  entities: ['STREET_ADDRESS'],
  find(text: string): Finding[] {
    const spans: Array<[number, number, number]> = []
    for (const [re, score] of [
      [NUMBER_FIRST, 0.7],
      [PREFIX_FIRST, 0.65],
      [COMPOUND, 0.65],
      [UNIT, 0.6],
    ] as const) {
      re.lastIndex = 0
      for (let m = re.exec(text); m !== null; m = re.exec(text)) spans.push([m.index, m.index + m[0].length, score])
    }
    CONTEXT.lastIndex = 0
    for (let m = CONTEXT.exec(text); m !== null; m = CONTEXT.exec(text)) {
      const value = trimValue(m[1]!)
      if (!/\d/.test(value) && spans.length === 0) continue // "address the issue" is not an address
      const end = m.index + m[0].length - m[1]!.length + value.length
      spans.push([end - value.length, end, 0.6])
    }
    if (spans.length === 0) return []
    const out: Finding[] = []
    for (const [start, end, score] of spans) {
      out.push({ type: 'STREET_ADDRESS', start, end: extend(text, end), score, recognizer: 'street-address' })
    }
    return out
  },
}

function trimValue(v: string): string {
  const stop = v.search(/[.?!;](?:\s|$)|\s-\s/)
  return (stop === -1 ? v : v.slice(0, stop)).replace(/[\s,.]+$/, '')
}

// A continuation line: short, no sentence inside, starting like a place, region or postcode.
const CONTINUATION = /^[ \t>]{0,8}[,]?[ \t]{0,4}[\p{Lu}\p{N}(][^\n.?!@:]{0,48}$/u

/** Extends an address over up to four following lines that read like city, region, postcode or country. */
function extend(text: string, end: number): number {
  let pos = end
  // The rest of the current line when it is only a comma-separated tail (", CO 80301").
  for (let lines = 0; lines < 4; lines++) {
    const nl = text.indexOf('\n', pos)
    if (nl === -1 || nl - pos > 2) {
      if (lines === 0) break
      break
    }
    const next = text.indexOf('\n', nl + 1)
    const lineEnd = next === -1 ? text.length : next
    const line = text.slice(nl + 1, lineEnd)
    if (line.trim().length === 0 || !CONTINUATION.test(line) || line.split(' ').length > 7) break
    pos = lineEnd
  }
  return pos
}
