import * as contexts from '../context.js'
import { type Finding, NO_FINDINGS, type Recognizer } from '../recognizer.js'
import * as profiles from '../text-profile.js'

// Bound once to constants of this module: an imported binding is a module-variable load with a hole check on every
// read in the hot loops below (see docs/redaction.md, Speed).
const digitsEnd = profiles.digitsEnd
const firstDigitIndex = profiles.firstDigitIndex
const SEVEN_DIGITS = profiles.SEVEN_DIGITS
const textProfile = profiles.textProfile
const contextWords = contexts.contextWords
const wordsAfter = contexts.wordsAfter
const wordsBefore = contexts.wordsBefore

// Digit groups joined by single separators, with an optional `+CC` and `(area)` in front and an extension behind.
// Separators are mandatory between groups, so there is one way to split a run: the scan is linear.
const GROUPED =
  /(?<![\w+.\-/])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d{1,15}(?:[ .-]\d{1,10}){0,5}(?:[ ]?(?:x|ext\.?|extension)[ ]?\d{1,6})?(?![\w\-/]|[.,:]\d)/g
const CONTEXT = contextWords([
  'phone',
  'tel',
  'telephone',
  'mobile',
  'cell',
  'call',
  'called',
  'calling',
  'fax',
  'contact',
  'reach',
  'reached',
  'reachable',
  'whatsapp',
  'sms',
  'text me',
  'dial',
  'ring',
  'hotline',
  'landline',
  'ph',
  'mob',
  'number is',
  'extension',
  'messages',
  'message',
  'answering',
  'registered',
  'office',
  'desk',
  'home',
  'work',
  'reach me',
  'txt',
  'voicemail',
  'tel.',
  'phone no',
  // The same in the languages of Western and Central Europe and Latin America: text in them is written with local
  // formats ("030 12345678", "06 12 34 56 78") that only context tells from other numbers.
  'telefon',
  'telefonnummer',
  'rufnummer',
  'handy',
  'handynummer',
  'mobil',
  'mobilnummer',
  'anrufen',
  'ruf',
  'téléphone',
  'tél',
  'portable',
  'appelez',
  'appeler',
  'numéro',
  'teléfono',
  'telefono',
  'telefone',
  'móvil',
  'movil',
  'celular',
  'cellulare',
  'llámame',
  'llamar',
  'chiamami',
  'ligue',
  'número',
  'numero',
  'nummer',
  'puhelin',
  'tlf',
  'gsm',
  // Dutch "bel me (gerust) op", Portuguese "tlm" / "telemóvel", Spanish "llame al".
  'bel',
  'bellen',
  'tlm',
  'telemóvel',
  'telemovel',
  'llame',
  'llámenos',
  'llamenos',
])
const NEGATIVE = contextWords([
  'order',
  'tracking',
  'invoice',
  'ticket',
  'request id',
  'account',
  'ref',
  'reference',
  'serial',
  'version',
  'isbn',
  'room',
  'sku',
  'zip',
  'postcode',
  'postal',
  // Identifiers that are no phone numbers, in English and the languages of the phone words above.
  'po',
  'purchase order',
  'meeting id',
  'id',
  'claim',
  'case',
  'booking',
  'confirmation',
  'bestellnummer',
  'bestellung',
  'auftragsnummer',
  'rechnungsnummer',
  'kundennummer',
  'sendungsnummer',
  'pedido',
  'commande',
  'ordine',
  'bestelling',
  'ordernummer',
  'sipariş',
  // Tax and company registration numbers ("NIP: 526-000-12-46", "SIRET : 732 829 320 00074", "VAT GB 294 7721 06").
  'vat',
  'tva',
  'iva',
  'mwst',
  'ust',
  'btw',
  'nip',
  'regon',
  'krs',
  'pesel',
  'siret',
  'siren',
  'rcs',
  'cnpj',
  'cpf',
  'nif',
  'cif',
  'kvk',
  'abn',
  'ein',
  'company no',
])
const EMBEDDED_DATE = /\d{4}[-./]\d{2}[-./]\d{2}|\d{2}[-./]\d{2}[-./]\d{4}/
const DATE = /^(?:\d{4}[-./ ]\d{1,2}[-./ ]\d{1,2}|\d{1,2}[-./ ]\d{1,2}[-./ ]\d{2,4})$/
const SSN_SHAPE = /^\d{3}-\d{2}-\d{4}$/
// European 2-2-2-2-2 groups (`01.84.17.61.18`).
const PAIRS = /^\d{2}(?:[ .-]\d{2}){4}$/
const NANP =
  /^(?:\+?1[ .-]?)?(?:\([2-9]\d{2}\)[ .-]?|[2-9]\d{2}[ .-])[2-9]\d{2}[ .-]\d{4}(?:[ ]?(?:x|ext\.?|extension)[ ]?\d{1,6})?$/

/** Text-profile bits of which a text must hold one for this recognizer to find anything (the engine reads it). */
export const PHONE_GATE = SEVEN_DIGITS

/**
 * PHONE_NUMBER: North American numbers (`(555) 201-3344`, `555-201-3344`, `+1 555 201 3344`), international
 * numbers with a `+` country code, and other grouped or bare digit runs when a phone word is nearby. Dates, versions
 * and SSN-shaped numbers are rejected; order and ticket words nearby veto weak candidates.
 *
 * @example
 * phoneRecognizer.find('call (555) 201-3344') // one PHONE_NUMBER finding
 */
export const phoneRecognizer: Recognizer = {
  name: 'phone',
  entities: ['PHONE_NUMBER'],
  find(text: string): readonly Finding[] {
    // Shared profile (one pass per text for every recognizer): most texts fail it.
    if ((textProfile(text) & PHONE_GATE) === 0) return NO_FINDINGS
    const out: Finding[] = []
    // A match holds a digit at most one character after its start (`+1`, `(4`): the search opens just before the
    // text's first digit, past the prose in front of it, and ends after its last digit.
    GROUPED.lastIndex = Math.max(0, firstDigitIndex() - 1)
    const last = digitsEnd()
    // Where the chain of digit groups that the previous match was cut from began, and where the cut fell.
    let chainStart = -1
    let cutAt = -2
    for (let m = GROUPED.exec(text); m !== null; m = GROUPED.lastIndex < last ? GROUPED.exec(text) : null) {
      // The rest of a chain cut short ("tracking: 9400 1000 0000 0000 0000 00") is read with the words before the
      // chain, not with the digits of its own head before it.
      if (m.index !== cutAt + 1) chainStart = m.index
      windowStart = chainStart
      contextBefore = UNKNOWN
      negativeBefore = UNKNOWN
      closeContextBefore = UNKNOWN
      // Adjacent numbers can run together ("+44 7700 900123 123-45-6780"): score every prefix that ends at a
      // group boundary (at most six) and keep the best, the longest on ties.
      let raw = ''
      let score = 0
      const match = m[0]
      const at = m.index
      // Digits in match[0, cut): a prefix with fewer than seven is no phone, and is rejected before it is sliced.
      // Characters are read from the text, not from the match (a sliced string, one indirection per read).
      let digits = countDigits(text, at, at + match.length)
      // Four groups of four digits are a card's shape (one that fails Luhn is no card, and no phone either): no prefix
      // of it is read as a phone number.
      if (digits === 16 && CARD_GROUPS.test(match)) continue
      // The digits go on from a code of letters and digits ("1Z 4F8 E21 03 9915 7706", "RF18 5390 0754 7034"), or run
      // on in groups of four past a phone's length (an invoice's access key): one identifier, no phone in it.
      if (m.index === chainStart && (codeBefore(text, m.index) || fourGroupChain(text, m.index))) continue
      for (let cut = match.length; cut > 0 && digits >= 7; ) {
        const candidate = match.slice(0, cut)
        const s = scoreCandidate(text, m.index, candidate, digits)
        if (s > score) {
          score = s
          raw = candidate
        }
        // No candidate scores above BEST_SCORE and ties keep the longer one: the shorter prefixes cannot win.
        if (score >= BEST_SCORE) break
        // The next group boundary (the last space or dash before `cut`), counting the digits cut off on the way.
        let next = cut - 1
        for (; next >= 0; next--) {
          const c = text.charCodeAt(at + next)
          if (c === 32 || c === 45) break
          if (c >= 48 && c <= 57) digits--
        }
        cut = next
      }
      if (score <= 0) continue
      const end = m.index + raw.length
      if (end < m.index + m[0].length) {
        GROUPED.lastIndex = end
        cutAt = end
      }
      out.push({ type: 'PHONE_NUMBER', start: m.index, end, score, recognizer: 'phone' })
    }
    return out
  },
}

// The highest score scoreCandidate() gives (a North American number, or `+` and grouped digits).
const BEST_SCORE = 0.75

/** Score of one candidate (`digits`: how many it holds), or 0 when it is not a phone number. */
function scoreCandidate(text: string, start: number, raw: string, digits: number): number {
  if (digits < 7 || digits > 15 || oneDigitOnly(text, start, start + raw.length)) return 0
  // A North American number is never a date (groups 3-3-4) nor SSN-shaped, so those tests run only for the rest.
  // Each pattern runs only where the counts allow a match: NANP holds ten digits (eleven with a leading 1, up to six
  // more in an extension), a date at most eight and two separators, an SSN nine in eleven characters.
  const nanp = digits >= 10 && NANP.test(raw)
  if (!nanp && digits <= 8 && raw.length === digits + 2 && DATE.test(raw)) return 0
  if (!nanp && digits === 9 && raw.length === 11 && SSN_SHAPE.test(raw)) return 0
  // Characters are read from the text (raw is text[start, end)): a read from the slice goes through its parent.
  const end = start + raw.length
  const plus = text.charCodeAt(start) === 43
  const grouped = raw.length > digits
  // Dotted numbers look like versions and IPs; only the North American 3.3.4 and European pair forms (ten digits in
  // fourteen characters) count.
  if (!nanp && hasDot(text, start, end) && !(digits === 10 && raw.length === 14 && PAIRS.test(raw))) return 0
  let score = 0
  if (nanp) score = 0.75
  else if (plus && digits >= 8) score = grouped ? 0.75 : 0.6
  else if (grouped && digits >= 8 && separators(text, start, end) >= 2 && plausibleGroups(raw)) score = 0.55
  if (score < 0.75 || !grouped) {
    // nearby(CONTEXT, 40, 16), its window before read once per match.
    if (contextBefore === UNKNOWN) contextBefore = wordsBefore(text, windowStart, CONTEXT, 40) ? YES : NO
    if (contextBefore === YES || wordsAfter(text, end, CONTEXT, 16))
      score = Math.max(score, grouped || plus ? 0.7 : 0.6)
  }
  if (score === 0) return 0
  // A country code and groups are a phone's own form: no order or tax number is written so ("… the order?\nCustomer:
  // +30 694 218 3307"). Other candidates lose to such words just before.
  if (plus && grouped && score >= 0.75) return score
  // nearby(NEGATIVE, 24, 0) and nearby(CONTEXT, 24, 0): windows before the match only, the same for every prefix.
  if (negativeBefore === UNKNOWN) negativeBefore = wordsBefore(text, windowStart, NEGATIVE, 24) ? YES : NO
  if (negativeBefore === YES) {
    if (closeContextBefore === UNKNOWN) closeContextBefore = wordsBefore(text, windowStart, CONTEXT, 24) ? YES : NO
    if (closeContextBefore === NO) score -= 0.4
  }
  return score
}

// Context tests of the window before the current match, shared by the prefixes scored for it (every prefix starts
// where the match starts): UNKNOWN until first asked.
const UNKNOWN = 0
const YES = 1
const NO = 2
let contextBefore = UNKNOWN
let negativeBefore = UNKNOWN
let closeContextBefore = UNKNOWN
// Where the context windows before the current match end: its start, or the start of the chain it was cut from.
let windowStart = 0

/** A token of letters and digits both, up to twelve characters, then one space, right before `at`. */
function codeBefore(text: string, at: number): boolean {
  if (at < 3 || text.charCodeAt(at - 1) !== 32) return false
  let letters = false
  let digits = false
  let i = at - 2
  for (; i >= 0 && at - 2 - i < 12; i--) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) digits = true
    else if (((c | 32) - 97) >>> 0 < 26) letters = true
    else break
  }
  return letters && digits && (i < 0 || !isTokenChar(text.charCodeAt(i)))
}

function isTokenChar(c: number): boolean {
  return c === 95 || c === 45 || (c >= 48 && c <= 57) || ((c | 32) - 97) >>> 0 < 26
}

/** Five or more groups of four digits, one space or dash apart, from `at`: an identifier's grouping. */
function fourGroupChain(text: string, at: number): boolean {
  let groups = 0
  for (let i = at; ; i += 5) {
    for (let k = i; k < i + 4; k++) if (!(text.charCodeAt(k) >= 48 && text.charCodeAt(k) <= 57)) return groups >= 5
    groups++
    const sep = text.charCodeAt(i + 4)
    if (sep !== 32 && sep !== 45) return groups >= 5
  }
}

/** Every digit in text[from, to) is the same one ("0000 0000 00"): filler, no one's number. */
function oneDigitOnly(text: string, from: number, to: number): boolean {
  let first = -1
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57) continue
    if (first === -1) first = c
    else if (c !== first) return false
  }
  return true
}

/** Spaces, dashes and dots in text[from, to). */
function separators(text: string, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    if (c === 32 || c === 45 || c === 46) n++
  }
  return n
}

// Built once: a regex literal inside a function is a new RegExp object on every call.
const THOUSANDS = /^\d{1,3}(?:[ .,]\d{3})+$/

/**
 * Local formats without a country code: 2–5 groups of 2–5 characters between separators (` .-`; parentheses do not
 * count), no date inside, not thousands grouping (`1 000 000`, `12.345.678`: an amount). The groups are counted by
 * char code first (no copy without parentheses, no split), and the two regexes run only for what passes.
 */
export function plausibleGroups(raw: string): boolean {
  let groups = 0
  let len = 0
  for (let i = 0; i <= raw.length; i++) {
    // The end of the string closes the last group as a separator would.
    const c = i < raw.length ? raw.charCodeAt(i) : 32
    if (c === 40 || c === 41) continue
    if (c === 32 || c === 46 || c === 45) {
      if (len < 2 || len > 5 || ++groups > 5) return false
      len = 0
    } else len++
  }
  return !THOUSANDS.test(raw) && !EMBEDDED_DATE.test(raw)
}

function hasDot(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 46) return true
  return false
}

/** `dddd dddd dddd dddd` (or with dashes): a card number's grouping. */
const CARD_GROUPS = /^\d{4}([ -])\d{4}\1\d{4}\1\d{4}$/

/** ASCII digits in text[from, to). */
function countDigits(text: string, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) n++
  }
  return n
}
