import * as profiles from '../text-profile.js'

// Bound once to a constant of this module (see person-context.ts).
const codeAt = profiles.codeAt

// The shape of labelled lines and tables around a PERSON candidate: who speaks in a dialogue, what is a form's field,
// and what is a table's column. Read by the person recognizer for candidates at the start of a line.

// Two or more lines opening with a label ("Anna: …\nTom: …"): a dialogue, where an unknown label is a speaker.
const LABEL_LINE = /(?:^|\n)[^\n:]{1,40}: ?\S[^\n]*\n(?:[^\n]*\n)?[^\n:]{1,40}: ?\S/

/** The text reads as a dialogue: two labelled lines close together. */
export function dialogue(text: string): boolean {
  return LABEL_LINE.test(text)
}

/** A dialogue or chat label: `Name:` at the start of a line. */
export function speaker(text: string, end: number): boolean {
  if (codeAt(text, end) !== 58) return false
  const q = codeAt(text, end + 1)
  return q === 34 || (q === 32 && !fieldValueMark(codeAt(text, end + 2)))
}

/**
 * The label `text[start, end]` (a word and its `:`) opens two lines or more: a speaker who talks again, as in a
 * dialogue; a form names each field once ("Leistungserbringer: …", "Cessionario: …").
 */
export function labelRecurs(text: string, start: number, end: number): boolean {
  const label = text.slice(start, end + 1)
  // Within RECUR_WINDOW either side: a text-long search per label would make a long text of labels quadratic.
  const from = Math.max(0, start - RECUR_WINDOW)
  const to = Math.min(text.length, end + RECUR_WINDOW)
  let count = 0
  for (let i = text.indexOf(label, from); i !== -1 && i < to; i = text.indexOf(label, i + label.length)) {
    if ((i === 0 || text.charCodeAt(i - 1) === 10) && ++count === 2) return true
  }
  return false
}
const RECUR_WINDOW = 2000

/**
 * What follows the label at `end` to its line's end reads as something said: two words or more, no digit, ending like
 * a sentence or a quotation (`.` `?` `!` or a closing quote): "What a wife.", "\"Who are you?\"". A form's value holds
 * numbers or ends without one ("Tipografia Lumen S.r.l. – P.IVA 04811220487").
 */
export function saidAfter(text: string, end: number): boolean {
  let words = 1
  let last = 0
  let i = end + 1
  for (; i < text.length && i - end < MAX_ROW; i++) {
    const c = text.charCodeAt(i)
    if (c === 10 || c === 13) break
    if (c >= 48 && c <= 57) return false
    if (c === 32 && last !== 32 && last !== 0) words++
    if (c !== 32) last = c
    else if (last !== 0) last = 32
  }
  let k = i - 1
  while (k > end && text.charCodeAt(k) === 32) k--
  const e = text.charCodeAt(k)
  return words >= 2 && (e === 46 || e === 63 || e === 33 || e === 34 || e === 0x201d || e === 39)
}

/**
 * A field's label: `: ` and a value that opens with a number, a price, a blank to fill in or a list mark ("Hopper:
 * 250 g", "Gebühr: 70,00 €", "Claimant: ____", "Tags: [a, b]"), where a speaker's words open with a word or a quote.
 */
export function fieldLabel(text: string, end: number): boolean {
  return codeAt(text, end) === 58 && codeAt(text, end + 1) === 32 && fieldValueMark(codeAt(text, end + 2))
}

/** What opens a field's value, not a speaker's words: a digit, `_`, `$`, `€`, `£`, `[`, `#` or `-`. */
export function fieldValueMark(c: number): boolean {
  return isDigitCode(c) || c === 95 || c === 36 || c === 0x20ac || c === 0xa3 || c === 91 || c === 35 || c === 45
}

/**
 * The line at `at` is a table's header: a markdown row followed by its `|---|` rule, or a CSV header (the text's first
 * line, single words between three or more `;` or `,`, the next line split as often). Column names are no people.
 */
export function tableHeader(text: string, at: number): boolean {
  // The line's end and start, looked for within a row's length (a bounded look per candidate, never a text-long scan).
  let nl = at
  while (nl < text.length && nl - at < MAX_ROW && text.charCodeAt(nl) !== 10) nl++
  if (nl >= text.length || text.charCodeAt(nl) !== 10) return false
  let lineStart = at
  while (lineStart > 0 && at - lineStart < MAX_ROW && text.charCodeAt(lineStart - 1) !== 10) lineStart--
  if (lineStart === 0 && csvHeader(text, nl)) return true
  let dashes = 0
  let pipes = 0
  let i = nl + 1
  for (; i < text.length && i - nl < MAX_ROW; i++) {
    const c = text.charCodeAt(i)
    if (c === 10 || c === 13) break
    if (c === 45) dashes++
    else if (c === 124) pipes++
    else if (c !== 58 && c !== 32) return false
  }
  return dashes >= 3 && pipes >= 1
}

const MAX_ROW = 400

/** The first line, up to `nl` (at most MAX_ROW long), reads as a CSV header (see tableHeader). */
function csvHeader(text: string, nl: number): boolean {
  let semicolons = 0
  let commas = 0
  for (let i = 0; i < nl; i++) {
    const c = text.charCodeAt(i)
    if (c === 59) semicolons++
    else if (c === 44) commas++
    else if (c === 32) return false
  }
  const sep = semicolons >= 3 ? 59 : commas >= 3 ? 44 : 0
  if (sep === 0) return false
  let next = 0
  for (let i = nl + 1; i < text.length && i - nl <= MAX_ROW && text.charCodeAt(i) !== 10; i++) {
    if (text.charCodeAt(i) === sep) next++
  }
  return next === (sep === 59 ? semicolons : commas)
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57
}
